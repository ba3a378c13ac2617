"""The staff area: accounts, sign-in, PIN lockout and second-person approval.

Modules: ``accounts`` (the ``staff`` table: who a member of staff is, the role and
employee-number rules, adding, PINs, disabling, unlocking, listing) and ``signin``
(signing in with the lockout counted in the store; PINs typed on someone's behalf,
limited per terminal, and the approvals and confirmations they give). Other areas use
the names exported here only.
"""

from __future__ import annotations

from hallterm.services.staff.accounts import (
    StaffInfo,
    add_staff,
    check_empno,
    check_roles,
    get_staff,
    insert_staff,
    list_staff,
    set_active,
    set_language,
    set_pin,
    unlock,
)
from hallterm.services.staff.signin import (
    SECOND_PERSON,
    ApprovalAlert,
    approval_alerts,
    approval_wait,
    approve,
    authenticate,
    check_pin,
    confirm_person,
    record_pin,
    record_session_event,
    wrong_pin_message,
)

TABLES: tuple[str, ...] = ("staff",)

__all__ = [
    "SECOND_PERSON", "TABLES", "ApprovalAlert", "StaffInfo", "add_staff", "approval_alerts",
    "approval_wait", "approve", "authenticate", "check_empno", "check_pin", "check_roles",
    "confirm_person", "get_staff", "insert_staff", "list_staff", "record_pin",
    "record_session_event", "set_active", "set_language", "set_pin", "unlock",
    "wrong_pin_message",
]
