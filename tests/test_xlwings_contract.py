"""The Excel adapter (crm_xl/book/excel.py) and the buttons' entry points (crm_xl/shells/xl.py) use only
xlwings calls that both desktop engines implement, as read from xlwings' installed sources
(`xlwings/_xlwindows.py`, `xlwings/_xlmac.py`, through `xlwings/main.py`'s wrappers; see the analysis
at the top of tests/book/xlfake.py): a member that falls through to `xlwings/base_classes.py` (which
raises NotImplementedError), an engine method that only raises, or a missing attribute fails.

Two ways to collect the calls: the fake records every member crm_xl code touches (TOUCHED) while the
buttons run through every write path; and ast reads every attribute name the two modules use, so a call
on a path no test takes is caught too."""

from __future__ import annotations

import ast
import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "book"))

import xlfake  # noqa: E402
from xlfake import FakeBook  # noqa: E402

from crm_xl import jobs  # noqa: E402
from crm_xl.book.excel import ExcelBook  # noqa: E402
from crm_xl.book.memory import MemoryBook  # noqa: E402
from crm_xl.shells import xl  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ADAPTER = [ROOT / "crm_xl" / "book" / "excel.py", ROOT / "crm_xl" / "book" / "excel_values.py",
           ROOT / "crm_xl" / "shells" / "xl.py"]
# Called on the xlwings module itself (not on a fake object): checked by name.
MODULE_CALLS = [("Book", "caller", "get"), ("Book", "__init__", "get"), ("Apps", "active", "get")]
# Calls on paths the contract run does not take (no merged cells in its sheets): checked by name.
UNREACHED_CALLS = [("Range", "merge", "get")]
# Functions that talk to Excel's native object model (COM / appscript), not to xlwings: book/excel.freeze.
NATIVE = {"freeze"}
# Attribute names the two modules use on crm-xl's own objects (ops, layouts, frames, summaries) that happen
# to name members of some xlwings class too; they never reach xlwings.
CRM_SIDE = {"add", "address", "after", "append", "charts", "chart", "categories", "clear", "col", "cols", "count",
            "copy", "delete", "fullname", "get", "header", "header_row", "headline", "hidden", "index", "items",
            "job", "kind", "layout", "message", "name", "pop", "rows", "sheet", "sheets", "table", "title",
            "value", "values", "visible", "widths", "app", "api", "range", "cells", "macro", "path", "style", "apps",
            "height"}


def _touched_by_every_path() -> set[tuple[str, str, str]]:
    xlfake.TOUCHED.clear()
    memory = MemoryBook.from_frames({
        "customers": [{"customer": "甲", "status": "跟进中", "owner": "王", "first_contact": dt.datetime(2024, 1, 5),
                       "phone": "13956781234", "budget": "50-80万"},
                      {"customer": "乙", "status": "已成交", "owner": "李", "first_contact": dt.datetime(2023, 12, 1)}],
        "followups": [{"customer": "甲", "date": dt.datetime(2024, 3, 1), "method": "电话", "content": "x", "owner": "王"}],
        "conversions": [{"customer": "乙", "date": dt.datetime(2024, 3, 10), "amount": 300000, "owner": "李"}],
        "tierlog": [{"customer": "甲", "tier": "B", "reason": "首次", "date": dt.datetime(2024, 1, 5)}],
    }, "zh-Hans", settings={"today": dt.date(2024, 4, 1)})
    fake = FakeBook.from_grids(memory.sheets, memory.tables)
    fake.sheet(next(iter(memory.sheets))).formatted_to = 200_000  # the chunked read and Ctrl+Up
    assert xl.run_buttons(jobs.RUN_ORDER, ExcelBook(fake)) is not None  # first run: sheets added
    assert xl.run_buttons(jobs.RUN_ORDER, ExcelBook(fake)) is not None  # again: sheets replaced
    fake.fail_at = 5
    assert xl.run_buttons(jobs.RUN_ORDER, ExcelBook(fake)) is None  # a failure: the undo path
    book = ExcelBook(fake, save=True)
    book.set_cells("xlwings.conf", {(1, 1): "a"}, hidden=True)
    book.save()
    book.set_cells("xlwings.conf", {(1, 1): "b"}, hidden=False)  # existing sheet: cells kept for undo
    book.save("/tmp/x.xlsm")
    return set(xlfake.TOUCHED)


@pytest.fixture(scope="module")
def touched() -> set[tuple[str, str, str]]:
    return _touched_by_every_path()


def test_every_xlwings_call_the_adapter_makes_is_implemented_by_both_desktop_engines(touched) -> None:
    calls = sorted(touched | set(MODULE_CALLS) | set(UNREACHED_CALLS))
    print("\n".join(f"{c}.{m}{' =' if md == 'set' else ''}: {sorted(xlfake.impl_calls(c, m, md) or [])}"
                    for c, m, md in calls))
    assert len(calls) > 30
    lacking = {f"{c}.{m}{' (set)' if md == 'set' else ''}": why for c, m, md in calls
               if (why := xlfake.missing(c, m, md))}
    assert not lacking, lacking


def _attribute_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in NATIVE:
            node.body = []
    names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {n.args[1].value for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
              and n.func.id in ("getattr", "setattr", "hasattr") and len(n.args) > 1
              and isinstance(n.args[1], ast.Constant) and isinstance(n.args[1].value, str)}
    return names




def test_no_attribute_in_the_adapter_names_an_xlwings_member_the_engines_lack(touched) -> None:
    members = xlfake.members()
    used = set().union(*(_attribute_names(p) for p in ADAPTER))
    reached = {m for _, m, _ in touched | set(MODULE_CALLS) | set(UNREACHED_CALLS)}
    problems = []
    for name in sorted(used & set(members)):
        if name.startswith("_"):
            continue
        anywhere = [c for c in members[name] if not xlfake.missing(c, name, "get")]
        if not anywhere:
            problems.append(f"{name}: no xlwings class has it on both engines ({', '.join(members[name])})")
        elif name not in reached and name not in CRM_SIDE:
            problems.append(f"{name}: an xlwings member no contract run reaches: exercise it in this test")
    assert not problems, problems


def test_the_check_catches_what_the_engines_lack() -> None:
    assert xlfake.missing("Sheet", "freeze_panes", "get")  # base_classes raises; only xlwings Server has it
    assert xlfake.missing("Range", "no_such_thing", "get")
    assert not xlfake.missing("Range", "value", "set")
    fake = FakeBook.from_grids({"S": [[1]]})
    xlfake.TOUCHED.clear()
    with pytest.raises(NotImplementedError, match="freeze_panes"):
        _crm_xl_touches(fake.sheet("S"), "freeze_panes")


def _crm_xl_touches(obj: object, name: str) -> object:
    """Touch `obj.name` as crm_xl code does (the fake checks only what crm_xl modules touch)."""
    code = compile(f"def touch(obj):\n    return obj.{name}\n", "<crm_xl>", "exec")
    scope: dict = {"__name__": "crm_xl.probe"}
    exec(code, scope)  # noqa: S102 — a function whose module is crm_xl.*
    return scope["touch"](obj)
