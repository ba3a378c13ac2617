"""Every user-facing label on the screens is marked for translation (``_()`` or ``N_()``).

An AST scan of ``screens/``: a string literal with letters passed where a user
reads it — a widget's text (Label, Static, Button, Option, Text), an input's
placeholder, a notification, a binding's description or tooltip, a form's title
or field label, a table's column headers, a border or screen title, a message
line (``update``, ``_say``) — must come through ``_()``/``N_()``/``ngettext()``.
Strings that are not text (keys, actions, ids, CSS, codes typed as input values)
are not in those places; the few deliberate exceptions are allow-listed below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only  # translated screens: nothing of the engine

SCREENS = Path(__file__).parent.parent / "screens"

# call name -> positional indexes that are user text ("*": every positional argument)
POSITIONAL: dict[str, tuple[int, ...] | str] = {
    "Label": (0,), "Static": (0,), "Button": (0,), "Option": (0,), "Text": (0,),
    "Checkbox": (0,), "RadioButton": (0,), "TabPane": (0,), "Collapsible": (),
    "notify": (0,), "Binding": (2,), "Action": (3, 4), "Field": (1,), "Typed": (1,),
    "Choice": (1,), "Flag": (1,), "EntryForm": (0,), "FormDialog": (0,), "PinDialog": (0,),
    "ApprovalDialog": (1,), "PersonDialog": (1,), "ReportDialog": (), "add_column": (0,),
    "add_columns": "*", "update": (0,), "_say": (0,), "say": (0,), "_ask": (0,),
    "append": (0,), "set_message": (0,),
}
KEYWORDS = {"placeholder", "description", "tooltip", "title", "label", "help", "message",
            "border_title", "border_subtitle", "sub_title"}
ATTRIBUTES = {"border_title", "border_subtitle", "title", "sub_title", "tooltip", "placeholder"}
MARKERS = {"_", "N_", "ngettext"}

# (file, literal): text that is deliberately the same in every language.
ALLOWED = {
    ("translate.py", "中文"),  # the language switch names the other language in itself
    ("translate.py", "English"),
}


def _is_text(node: ast.AST) -> bool:
    """A literal a user would read: a str constant or f-string with letters outside {}."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and any(c.isalpha() for c in str(v.value))
                   for v in node.values)
    if isinstance(node, ast.BinOp):  # "  " + _("…"), "a" + "b"
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_text(node.body) or _is_text(node.orelse)
    return False


def _name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def unmarked(root: Path = SCREENS) -> list[str]:
    found: list[tuple[str, int, str]] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values: list[ast.AST] = []
            if isinstance(node, ast.Call) and _name(node) not in MARKERS:
                wanted = POSITIONAL.get(_name(node), ())
                values += [a for i, a in enumerate(node.args)
                           if wanted == "*" or i in wanted]
                values += [k.value for k in node.keywords if k.arg in KEYWORDS]
            elif isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Attribute) and t.attr in ATTRIBUTES for t in node.targets):
                values.append(node.value)
            for value in values:
                if _is_text(value):
                    literal = ast.unparse(value)
                    if (path.name, ast.literal_eval(value) if isinstance(value, ast.Constant)
                            else literal) in ALLOWED:
                        continue
                    found.append((str(path.relative_to(root.parent)), value.lineno, literal))
    return [f"{path}:{line}: {literal}" for path, line, literal in sorted(found)]


def test_every_label_on_the_screens_is_marked_for_translation():
    assert unmarked() == []


def test_the_scan_finds_an_unmarked_label(tmp_path):
    pkg = tmp_path / "screens"
    pkg.mkdir()
    (pkg / "x.py").write_text(
        'Label("Hello")\nLabel(_("Hi"))\nField("qty", "Quantity")\nField("q", N_("Q"))\n'
        'Binding("f1", "home", "Home")\nInput(placeholder="e.g. 8001")\nw.border_title = "T"\n'
        'self.notify(f"Saved {n}")\nLabel("")\nLabel(f"{n}  {m}")\n', encoding="utf-8")
    assert [line.split(": ", 1)[1] for line in unmarked(pkg)] == [
        "'Hello'", "'Quantity'", "'Home'", "'e.g. 8001'", "'T'", "f'Saved {n}'"]


def test_the_card_payment_dialog_speaks_chinese(hall, tmp_path):
    import asyncio
    from dataclasses import replace

    from textual.widgets import Label

    from hallterm.i18n import set_language
    from screens.posts.sales import SalesScreen
    from tests.pilot import PostHost
    from tests.sales_fixtures import stock_hall
    from tests.test_sales_screen import scan, settle

    stock_hall(hall)
    ctx = replace(hall.sales, counter=1)
    settings = hall.settings.model_copy(update={"receipts_dir": tmp_path / "receipts",
                                                "language": "zh_CN"})
    set_language("zh_CN")

    async def scenario():
        app = PostHost(ctx, SalesScreen, settings)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await scan(pilot, "6941487200028")  # a cable in the cart
            await pilot.press("ctrl+y")  # card or QR: the form waits in a worker: pause
            for _ in range(40):
                await pilot.pause(0.05)
                if app.screen.__class__.__name__ == "FormDialog":
                    break
            labels = [str(label.render()) for label in app.screen.query(Label)]
            assert "金额" in labels and "刷卡/扫码终端参考号" in labels, labels
            assert "Amount" not in labels

    asyncio.run(scenario())
