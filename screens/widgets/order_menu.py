"""The order menu (业务受理): one key picks what the customer came for.

Ctrl+W on the Sales screen opens it; N new line, P plan change, S SIM replacement,
C cancellation, O port-out enquiry, A pays an open order's first payment, W withdraws
an open order; Esc closes. Only the kinds the person's roles allow are offered.
Returns the chosen kind, or None.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from hallterm.i18n import N_, _
from screens.actions import Action, bindings, declare
from screens.translate import TranslatedKeys

CHOICES: tuple[tuple[str, str, str], ...] = (  # key, kind, what it is
    ("n", "new_line", N_("New line (新装入网): a number, the SIM, a plan, the first payment")),
    ("p", "plan_change", N_("Plan change (套餐变更): next billing month unless the plan says now")),
    ("s", "sim_replace", N_("SIM replacement (补换卡): the new SIM from this counter")),
    ("c", "cancel", N_("Cancellation (销户): the retention offer is recorded first")),
    ("o", "port_out", N_("Port-out enquiry (携号转网): never blocked")),
    ("a", "pay", N_("First payment of an open order")),
    ("w", "withdraw", N_("Withdraw an open order (before it completes)")),
)


class OrderMenu(TranslatedKeys, ModalScreen[str | None]):
    """Pick an order kind with one key."""

    DEFAULT_CSS = """
    OrderMenu { align: center middle; }
    OrderMenu > Vertical {
        width: 76; max-width: 100%; height: auto; padding: 0 1;
        border: thick $accent; background: $surface;
    }
    OrderMenu #menu-title { text-style: bold; }
    """
    ACTIONS = declare(
        "order-menu", N_("Order menu"),
        Action("order_menu.new_line", "n", "choose('new_line')", N_("New line")),
        Action("order_menu.plan_change", "p", "choose('plan_change')", N_("Plan change")),
        Action("order_menu.sim_replace", "s", "choose('sim_replace')", N_("SIM swap")),
        Action("order_menu.cancel", "c", "choose('cancel')", N_("Cancel line")),
        Action("order_menu.port_out", "o", "choose('port_out')", N_("Port-out")),
        Action("order_menu.pay", "a", "choose('pay')", N_("Pay order")),
        Action("order_menu.withdraw", "w", "choose('withdraw')", N_("Withdraw")),
        Action("order_menu.close", "escape", "choose(None)", N_("Close")),
        order=94)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, who: str, allowed: set[str] | None = None) -> None:
        super().__init__()
        self.who = who
        self.allowed = {kind for _key, kind, _text in CHOICES} if allowed is None else allowed

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(_("Orders for {who}").format(who=self.who)), id="menu-title")
            for key, kind, text in CHOICES:
                if kind in self.allowed:
                    yield Static(Text.assemble((f" {key.upper()} ", "bold reverse"), "  ",
                                               _(text)))
        yield Footer(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the kinds this person may take (the others are neither listed nor keyed)."""
        if action == "choose" and parameters and parameters[0] is not None:
            return parameters[0] in self.allowed
        return True

    def action_choose(self, kind: str | None) -> None:
        self.dismiss(kind)
