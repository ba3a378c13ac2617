"""Each action declared once: palette, keys help and keymap come from the declarations."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from hallterm.i18n import N_, _
from screens import registry
from screens.actions import Action, bindings, check_keymap, declare, scopes
from screens.base import PostScreen
from screens.home import HomeScreen
from screens.palette import ShellCommands
from tests.conftest import MANAGER_PIN, STAFF_PIN
from tests.test_shell import make_app, run_async, settle, sign_in

SIZE = (120, 40)
SCREENS = Path(__file__).parent.parent / "screens"


class _Desk(PostScreen):
    """A stand-in post with three actions: one for everyone, one for the hall manager
    only (by permission), one its screen refuses at the moment (by ``check_action``)."""

    ACTIONS = declare(
        "zz_desk", N_("Desk"),
        Action("zz_desk.stamp", "ctrl+t", "stamp", N_("Stamp"), N_("Stamp the form")),
        Action("zz_desk.force", "ctrl+y", "force", N_("Force"), N_("Force it"),
               permission="day.force_close"),
        Action("zz_desk.later", "ctrl+u", "later", N_("Later"), N_("Not yet")),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.stamped = 0

    def compose(self):
        yield Static("desk", id="desk")

    def check_action(self, action: str, parameters) -> bool | None:
        return action != "later"

    def action_stamp(self) -> None:
        self.stamped += 1


@pytest.fixture
def desk_post():
    post = registry.register(registry.Post(
        id="zz_desk", title="Desk test", key="ctrl+e", permission="screen.reception",
        factory=_Desk, order=995))
    yield post
    registry._POSTS.pop(post.id, None)


async def palette_titles(app) -> list[str]:
    return [h.text async for h in ShellCommands(app.screen).discover()]


@run_async
async def test_palette_offers_the_posts_actions_by_role_and_by_check_action(hall, desk_post):
    hall.add("7007", "guide")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        for empno, pin, may_force in (("7007", STAFF_PIN, False), ("9001", MANAGER_PIN, True)):
            await sign_in(pilot, empno, pin)
            await pilot.press("ctrl+e")
            await settle(pilot)
            assert isinstance(app.screen, _Desk)
            titles = await palette_titles(app)
            assert "Stamp" in titles
            assert ("Force" in titles) == may_force  # the permission
            assert "Later" not in titles  # the screen refuses it now
            assert titles[-1] == _("Keys")  # then the keys help
            # The entry runs the action on the screen it was chosen from.
            hits = [h async for h in ShellCommands(app.screen).discover()]
            stamp = next(h for h in hits if h.text == "Stamp")
            await stamp.command()
            await settle(pilot)
            assert app.screen.stamped == 1
            await pilot.press("f10")
            await settle(pilot)


@run_async
async def test_palette_of_the_warehouse_follows_the_keepers_role(hall):
    hall.add("7101", "warehouse")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "9001", MANAGER_PIN)  # a manager may look, not move stock
        await pilot.press("f5")
        await settle(pilot)
        titles = await palette_titles(app)
        assert _("History") in titles and _("Receive") not in titles
        assert _("Finish count") not in titles  # only while counting
        await pilot.press("f10")
        await settle(pilot)
        await sign_in(pilot, "7101", STAFF_PIN)
        await pilot.press("f5")
        await settle(pilot)
        assert _("Receive") in await palette_titles(app)


@run_async
async def test_question_mark_lists_every_key_of_the_screen(hall):
    from screens.keys import KeysScreen

    hall.add("7101", "warehouse")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "7101", STAFF_PIN)
        await pilot.press("question_mark")  # home has a key of its own (R: rectify)
        await settle(pilot)
        assert isinstance(app.screen, KeysScreen)
        # ... shown only while the person has a review exception to answer
        assert _("Rectify") not in {title for _key, title, _help, _on in app.screen._rows}
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, KeysScreen)
        rows = {title: (key, enabled) for key, title, _help, enabled in app.screen._rows}
        assert rows[_("Receive")] == ("r", True)
        assert rows[_("Home")][0] == "f1" and rows[_("Lock")][0] == "f8"
        assert rows[_("Warehouse")][0] == "f5"  # the posts' keys too
        assert _("Quit") in rows and _("Commands") in rows  # also keys the footer hides
        assert _("Finish count") not in rows  # hidden while not counting
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "WarehouseScreen"
        # In a form, ? is typed like any character.
        await pilot.press("r")
        await settle(pilot)
        field = app.screen.focused
        assert isinstance(field, Input)
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.focused is field and field.value.endswith("?")
        assert not isinstance(app.screen, KeysScreen)


@run_async
async def test_keymap_rebinds_by_id_and_reports_bad_entries(hall):
    settings = hall.settings.model_copy(update={"keymap": {
        "warehouse.history": "y", "post.warehouse": "f4",
        "no.such_action": "f2", "warehouse.refresh": "ctrl+banana"}})
    from screens.app import HallTermApp

    hall.add("7101", "warehouse")
    app = HallTermApp(settings, None, ctx=hall.ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert _("keymap: there is no action {id!r}").format(id="no.such_action") in said
        assert _("keymap: {key!r} for {id!r} is not a key name").format(
            key="ctrl+banana", id="warehouse.refresh") in said
        await sign_in(pilot, "7101", STAFF_PIN)
        await pilot.press("f5")  # rebound: the old key does nothing
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f4")
        await settle(pilot)
        assert type(app.screen).__name__ == "WarehouseScreen"
        keys = {a.binding.description: key for key, a in app.screen.active_bindings.items()}
        assert keys[_("History")] == "y" and keys[_("Refresh")] == "g"
        await pilot.press("y")
        await settle(pilot)
        assert app.screen.mode == "history"


def test_check_keymap_keeps_good_entries_and_names_bad_ones():
    good, problems = check_keymap(
        {"a.x": "f4", "a.y": "ctrl+shift+k, question_mark", "a.z": "ctrl+", "b": "f2",
         "a.w": ""}, {"a.x", "a.y", "a.z", "a.w"})
    assert good == {"a.x": "f4", "a.y": "ctrl+shift+k,question_mark"}
    assert len(problems) == 3


def test_every_screen_declares_its_keys_as_actions():
    """No ``Binding(...)`` written by hand in a screen: every key comes from an Action
    (the shell's ctrl+c reminder aside), and ids are unique across the app."""
    hand_made = []
    for path in sorted(SCREENS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Binding":
                hand_made.append(path.name)
    assert hand_made == ["actions.py", "actions.py", "app.py"]
    ids = [a.id for scope in scopes() for a in scope.actions]
    assert len(ids) == len(set(ids))


def test_screens_use_no_private_textual_internals():
    """So Textual can be upgraded: nothing reaches into Textual's private names."""
    private = ("_merged_bindings", "._bindings", "_start_no_matches_countdown",
               "_stop_no_matches_countdown", "_NO_MATCHES", "_list_visible")
    found = [f"{p.name}: {name}" for p in sorted(SCREENS.rglob("*.py"))
             for name in private if name in p.read_text(encoding="utf-8")]
    assert found == []


class _Buggy(PostScreen):
    ACTIONS = declare("zz_buggy", N_("Buggy"),
                      Action("zz_buggy.boom", "ctrl+t", "boom", N_("Boom"), N_("A bug")))
    BINDINGS = bindings(ACTIONS)

    def compose(self):
        yield Static("buggy", id="buggy")

    def action_boom(self) -> None:
        raise RuntimeError("a bug in a handler")


@run_async
async def test_a_bug_in_a_handler_is_logged_with_an_apology_on_a_real_terminal(hall):
    """The one Textual private hook the app keeps (``App._handle_exception``: Textual has
    no public one): on a counter a bug must not end the app with a traceback. This test
    fails if a Textual upgrade renames it."""
    post = registry.register(registry.Post(id="zz_buggy", title="Buggy test", key="ctrl+e",
                                           permission="screen.reception", factory=_Buggy,
                                           order=996))
    try:
        app = make_app(hall)
        app.crash_on_bugs = False  # as on a real terminal
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot, "9001", MANAGER_PIN)
            await pilot.press("ctrl+e")
            await settle(pilot)
            await pilot.press("ctrl+t")
            await settle(pilot)
            assert app.is_running and isinstance(app.screen, _Buggy)
            said = [n.message for n in app._notifications]
            assert _("Sorry, something went wrong. Details are in {log}").format(
                log=hall.settings.resolved_log_file()) in said
            await pilot.press("f1")  # and the app still takes keys
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
        log = hall.settings.resolved_log_file().read_text(encoding="utf-8")
        assert "a bug in a handler" in log
    finally:
        registry._POSTS.pop(post.id, None)


@run_async
async def test_the_palette_opened_on_a_post_finds_its_keys_help(hall):
    """Sales keeps a field focused (`?` is typed into it): Ctrl+P, "keys", Enter is the way
    to the keys help the docs give — it found nothing while the palette asked itself."""
    from screens.keys import KeysScreen

    hall.add("7101", "warehouse")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "7101", STAFF_PIN)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"keys")
        await settle(pilot)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, KeysScreen)
