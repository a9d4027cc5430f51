"""The xlwings Lite adapter (crm_xl/book/lite.py) and the Lite scripts' entry (crm_xl/shells/lite.py) use only
xlwings members that the remote engine Lite runs on implements, as read from `xlwings/pro/_xlremote.py` through
`xlwings/main.py`'s wrappers (tests/book/litefake.py: a member that falls through to base_classes, raises
NotImplementedError, is async — an async read flushes the queue — or does not exist fails); and over that
engine's test double every job writes the same cells as the file engine, a failing run writes nothing and a
second run replaces the generated sheets.

Two ways to collect the calls, as for the desktop adapter (tests/test_xlwings_contract.py): the fake records
every member crm_xl code touches (TOUCHED) while every write path runs; and ast reads every attribute name
of the code a LiteBook runs — book/lite.py, shells/lite.py, the desktop adapter's methods it inherits and the
helpers they call — so a call on a path no test takes is caught too."""

from __future__ import annotations

import ast
import datetime as dt
import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "book"))

import litefake  # noqa: E402
import xlfake  # noqa: E402
from litefake import Excel, remote_missing, run_script  # noqa: E402
from xlfake import comparable  # noqa: E402

from crm_xl import jobs  # noqa: E402
from crm_xl.authoring import template  # noqa: E402
from crm_xl.book.files import FileBook  # noqa: E402
from crm_xl.book.lite import LiteBook, points  # noqa: E402
from crm_xl.model.errors import SchemaError  # noqa: E402
from crm_xl.model.result import Summary  # noqa: E402
from crm_xl.shells import lite  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "crm_xl"
TODAY = "2024-04-01"
# Calls on paths no run takes (no generated sheet has merged cells): checked by name.
UNREACHED_CALLS = [("Range", "merge", "get")]
# What the Book port (book/port.py) calls on an adapter and ExcelBook implements.
PORT_PRIMITIVES = ("sheet_names", "table_infos", "grid")
# Attribute names the Lite code uses on crm-xl's own objects (ops, layouts, frames, summaries, plans) that
# happen to name members of some xlwings class too; they never reach xlwings.
CRM_SIDE = {"add", "cells", "charts", "clear", "delete", "height", "hidden", "layout", "name", "path", "range", "row",
            "rows", "save", "sheet", "sheet_names", "sheets", "style", "table", "title", "value", "values", "visible"}


def grids_of(path: Path) -> tuple[dict[str, list[list]], list]:
    book = FileBook(path)
    try:
        return {name: book.grid(name) for name in book.sheet_names()}, book.table_infos()
    finally:
        book.close()


def excel_of(path: Path) -> Excel:
    """The workbook at `path` as Excel holds it when a Lite script starts."""
    return Excel.from_grids(*grids_of(path))


def lite_run(excel: Excel, job: str = "run", **kw) -> str:
    return run_script(excel, lambda book: lite.run(book, job, today=TODAY, **kw))


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lite")
    return {lang: template.create(folder / f"sample-{lang}.xlsx", lang=lang, sample=True)
            for lang in ("zh-Hans", "en", "zh-Hant")}


def file_run(sample: Path, folder: Path, job: str = "run", times: int = 1) -> Path:
    copy = folder / f"file-{sample.name}"
    shutil.copy(sample, copy)
    for _ in range(times):
        if job == "run":
            jobs.run_all(copy, today=TODAY)
        else:
            jobs._run(copy, (job,), today=TODAY, month=None, out=None, backup=False, progress=None)
    return copy


def assert_same_cells(excel: Excel, path: Path) -> None:
    """The same sheets in the same order, every cell value the same."""
    grids, tables = grids_of(path)
    assert excel.names() == list(grids)
    for name, grid in grids.items():
        assert comparable(excel.sheet(name).grid()) == comparable(grid), name
    assert sorted((t.name, t.sheet, t.ref) for t in tables) == sorted(
        (n, s.name, ref) for s in excel.sheets for n, ref in s.tables)


# --- every job through LiteBook writes what the file engine writes ----------------------------------------


@pytest.mark.parametrize("lang", ["zh-Hans", "en", "zh-Hant"])
def test_every_job_writes_the_same_cells_as_the_file_engine(samples, tmp_path, lang) -> None:
    excel = excel_of(samples[lang])
    report = lite_run(excel)
    assert len(report.splitlines()) == len(jobs.RUN_ORDER)
    assert_same_cells(excel, file_run(samples[lang], tmp_path))


@pytest.mark.parametrize("job", jobs.RUN_ORDER)
def test_each_job_alone_writes_the_same_cells_as_the_file_engine(samples, tmp_path, job) -> None:
    excel = excel_of(samples["zh-Hans"])
    assert lite.job_label(job, "zh-Hans") in lite_run(excel, job)
    assert_same_cells(excel, file_run(samples["zh-Hans"], tmp_path, job))


def test_a_second_run_replaces_the_generated_sheets_in_place(samples, tmp_path) -> None:
    excel = excel_of(samples["en"])
    lite_run(excel)
    first = excel.names()
    lite_run(excel)
    assert excel.names() == first  # nothing doubled, nothing left aside, same places
    assert not [n for n in first if n.startswith("~crm-xl")]
    assert_same_cells(excel, file_run(samples["en"], tmp_path, times=2))


def test_charts_freeze_and_widths_as_the_remote_engine_takes_them(samples) -> None:
    excel = excel_of(samples["en"])
    lite_run(excel)
    review = excel.sheet("Review 2024-03")
    assert [c["type"] for c in review.charts] == ["column_clustered", "column_clustered", "pie", "line"]
    for chart in review.charts:
        assert chart["anchor"] and chart["left"] is None and chart["top"] is None  # placed by its anchor cell
        sheet, source = chart["source"].split("!")
        r1, c1, r2, c2 = litefake.parse_ref(source)
        assert sheet == review.name and c1 == c2
        assert isinstance(review.cells[(r1, c1)], str)  # the header row is in: it names the series
        assert all(not isinstance(review.cells.get((r, c1)), str) for r in range(r1 + 1, r2 + 1))
        k1, _, k2, _ = litefake.parse_ref(chart["categories"].split("!")[1])
        assert (k1, k2) == (r1 + 1, r2) and chart["title"]
    assert excel.sheet("Issues").freeze == "1:4"  # rows 1-4 frozen (the layout freezes at A5)
    assert excel.sheet("Review history").freeze == "A1:A1"  # row 1 and column A (at B2)
    assert excel.sheet("Issues").widths[1] == points(14)  # points, from the file engine's characters


# --- a failing run writes nothing --------------------------------------------------------------------------


def test_a_failing_job_writes_nothing_and_says_so_in_the_workbook_language(samples, monkeypatch, capsys) -> None:
    excel = excel_of(samples["zh-Hans"])
    start = excel.snapshot()

    def broken(ctx):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(jobs.CORE, "health", ("test_lite_contract", "broken"))
    monkeypatch.setattr(sys.modules[__name__], "broken", broken, raising=False)
    with pytest.raises(ZeroDivisionError):
        lite_run(excel)  # validate, tiers and stale ran first and recorded their changes
    assert excel.snapshot() == start
    out = capsys.readouterr().out
    assert "crm-xl 意外停止：ZeroDivisionError: division by zero" in out and "工作簿没有任何改动" in out


@pytest.mark.parametrize("at", [1, 2, 40, 400, -1])
def test_a_failure_while_the_writes_are_queued_writes_nothing(samples, at) -> None:
    excel = excel_of(samples["zh-Hans"])
    total = len(_queue_of(excel_of(samples["zh-Hans"])))
    start = excel.snapshot()
    with pytest.raises(RuntimeError, match="injected failure"):
        run_script(excel, lambda book: lite.run(book, today=TODAY), fail_at=total if at == -1 else at)
    assert excel.snapshot() == start


def _queue_of(excel: Excel) -> list[dict]:
    book = litefake.FakeBook(excel)
    lite.run(book, today=TODAY)
    return book.queue


def test_a_workbook_error_is_told_and_raised_and_nothing_is_queued(capsys) -> None:
    excel = Excel.from_grids({"Sheet1": [["hello"]]})
    book = litefake.FakeBook(excel)
    with pytest.raises(SchemaError, match="客户信息表"):
        lite.run(book, "validate")
    assert book.queue == []
    assert "Nothing in the workbook was changed" in capsys.readouterr().out


# --- what LiteBook and shells/lite use of xlwings -----------------------------------------------------------


def _touched_by_every_path(samples: dict[str, Path]) -> set[tuple[str, str, str]]:
    litefake.TOUCHED.clear()
    for lang in ("zh-Hans", "en"):
        excel = excel_of(samples[lang])
        lite_run(excel)  # first run: sheets added, tables grown
        lite_run(excel)  # again: sheets replaced
        with pytest.raises(RuntimeError):
            run_script(excel, lambda book: lite.run(book, today=TODAY), fail_at=30)

    def set_cells(book) -> None:
        lite_book = LiteBook(book)
        lite_book.set_cells("xlwings.conf", {(1, 1): "a"}, hidden=True)  # a new sheet, hidden
        lite_book.set_cells("客户信息表", {(1, 1): "客户名称"}, hidden=False)  # an existing one
        lite_book.save()

    run_script(excel_of(samples["zh-Hans"]), set_cells)
    return set(litefake.TOUCHED)


@pytest.fixture(scope="module")
def touched(samples) -> set[tuple[str, str, str]]:
    return _touched_by_every_path(samples)


def test_every_xlwings_call_the_lite_adapter_makes_is_implemented_by_the_remote_engine(touched) -> None:
    calls = sorted(touched | set(UNREACHED_CALLS))
    print("\n".join(f"{c}.{m}{' =' if md == 'set' else ''}: {sorted(xlfake.impl_calls(c, m, md) or [])}"
                    for c, m, md in calls))
    assert len(calls) > 25
    lacking = {f"{c}.{m}{' (set)' if md == 'set' else ''}": why for c, m, md in calls if (why := remote_missing(c, m, md))}
    assert not lacking, lacking


def lite_code() -> list[ast.AST]:
    """The code a LiteBook runs: book/lite.py, shells/lite.py, book/excel_values.py, and of book/excel.py the
    ExcelBook methods a LiteBook reaches (from its own methods, what they call through `super()` and the port's
    primitives, through `self.…`) without overriding them, with the module's functions they call."""
    trees: list[ast.AST] = [ast.parse((PACKAGE / p).read_text(encoding="utf-8"))
                            for p in ("book/lite.py", "shells/lite.py", "book/excel_values.py")]
    lite_class = next(n for n in ast.walk(trees[0]) if isinstance(n, ast.ClassDef) and n.name == "LiteBook")
    excel = ast.parse((PACKAGE / "book" / "excel.py").read_text(encoding="utf-8"))
    excel_class = next(n for n in excel.body if isinstance(n, ast.ClassDef) and n.name == "ExcelBook")
    overridden = {n.name for n in lite_class.body if isinstance(n, ast.FunctionDef)}
    called_up = {n.attr for n in ast.walk(lite_class) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Call)
                 and isinstance(n.value.func, ast.Name) and n.value.func.id == "super"}  # super().__init__
    inherited = {n.name: n for n in excel_class.body if isinstance(n, ast.FunctionDef)
                 and (n.name not in overridden or n.name in called_up)}
    functions = {n.name: n for n in excel.body if isinstance(n, ast.FunctionDef)}
    todo: list[ast.AST] = [lite_class] + [inherited.pop(n) for n in (*called_up, *PORT_PRIMITIVES)]
    code: list[ast.AST] = []
    while todo:
        node = todo.pop()
        code.append(node)
        for n in ast.walk(node):
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self" \
                    and n.attr in inherited:
                todo.append(inherited.pop(n.attr))
            elif isinstance(n, ast.Name) and n.id in functions:
                todo.append(functions.pop(n.id))
    return trees + code


def attribute_uses(code: list[ast.AST]) -> set[tuple[str, str]]:
    """(name, get|set) of every attribute the code reads, calls or assigns (getattr/setattr included)."""
    out: set[tuple[str, str]] = set()
    for tree in code:
        for n in ast.walk(tree):
            if isinstance(n, ast.Attribute):
                out.add((n.attr, "set" if isinstance(n.ctx, ast.Store) else "get"))
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and len(n.args) > 1 \
                    and n.func.id in ("getattr", "setattr", "hasattr") and isinstance(n.args[1], ast.Constant):
                out.add((n.args[1].value, "set" if n.func.id == "setattr" else "get"))
    return out




def test_no_attribute_in_the_lite_code_names_an_xlwings_member_the_remote_engine_lacks(touched) -> None:
    members = xlfake.members()
    reached = {m for _, m, _ in touched | set(UNREACHED_CALLS)}
    problems = []
    for name, mode in sorted(attribute_uses(lite_code())):
        if name.startswith("_") or name not in members or (name in CRM_SIDE and name not in reached):
            continue
        anywhere = [c for c in members[name] if not remote_missing(c, name, mode)]
        if not anywhere:
            problems.append(f"{name}{' (set)' if mode == 'set' else ''}: no xlwings class has it on the remote "
                            f"engine ({', '.join(members[name])})")
        elif name not in reached and name not in CRM_SIDE:
            problems.append(f"{name}: an xlwings member no contract run reaches: exercise it in this test")
    assert not problems, problems


def test_the_lite_code_is_what_a_litebook_runs() -> None:
    names = {n.name for n in lite_code() if isinstance(n, ast.FunctionDef)}
    assert {"grid", "_plan", "_write_column", "_put_sheet", "_style"} <= names  # inherited, and a helper
    assert not names & {"freeze", "_roll_back", "caller", "open", "quiet"}  # desktop only, or overridden
    uses = {name for name, _ in attribute_uses(lite_code())}
    assert "properties" not in uses and "status_bar" not in uses and "left" not in uses


def test_the_check_catches_what_the_remote_engine_lacks() -> None:
    assert remote_missing("App", "status_bar", "set")  # _unsupported
    assert remote_missing("App", "properties", "get")  # reads screen_updating back; no enable_events
    assert remote_missing("Range", "left", "get") and remote_missing("Range", "top", "get")
    assert remote_missing("Range", "number_format", "get") and remote_missing("Range", "formula", "get")
    assert remote_missing("Book", "flush", "get") == ("xlwings.Book.flush is async (it flushes the queued writes "
                                                      "to Excel)",)
    assert "is async" in litefake.remote_status("Book", "flush", "get")  # the engine's side, too
    assert remote_missing("Range", "get_value", "get")
    assert remote_missing("ChartSeriesCollection", "__getitem__", "get")  # counted only by an async read
    assert remote_missing("Range", "no_such_thing", "get")
    for ok in [("Range", "value", "set"), ("Range", "value", "get"), ("Range", "column_width", "set"),
               ("Sheet", "freeze_panes", "get"), ("FreezePanes", "freeze_at", "get"), ("Charts", "add", "get")]:
        assert not remote_missing(*ok), ok
    book = litefake.FakeBook(Excel.from_grids({"S": [[1]]}))
    with pytest.raises(NotImplementedError, match="status_bar"):
        _crm_xl_touches(book.app, "status_bar")
    with pytest.raises(NotImplementedError, match="Range.left"):
        _crm_xl_touches(book.sheets["S"].range("A1"), "left")


def _crm_xl_touches(obj: object, name: str) -> object:
    """Touch `obj.name` as crm_xl code does (the fake checks only what crm_xl modules touch)."""
    code = compile(f"def touch(obj):\n    return obj.{name}\n", "<crm_xl>", "exec")
    scope: dict = {"__name__": "crm_xl.probe"}
    exec(code, scope)  # noqa: S102 — a function whose module is crm_xl.*
    return scope["touch"](obj)


# --- no thread, no desktop xlwings, no file engine on the Lite path -----------------------------------------

PYODIDE_LIKE = r"""
import _thread, pickle, sys, threading

def no_threads(*args, **kwargs):
    raise RuntimeError("Pyodide has no threads")

threading.Thread.start = no_threads
_thread.start_new_thread = no_threads
sys.path.insert(0, sys.argv[2])
grids, tables = pickle.load(open(sys.argv[1], "rb"))
import litefake
from crm_xl.shells import lite
excel = litefake.Excel.from_grids(grids, tables)
litefake.run_script(excel, lambda book: lite.run(book, today="2024-04-01"))
loaded = sorted(m for m in sys.modules if m.startswith(("crm_xl", "xlwings", "openpyxl", "python_calamine",
                                                         "xlsxwriter", "typer", "rich", "opencc")))
print(json.dumps(loaded))
""".replace("print(json", "import json; print(json")


def test_the_lite_path_starts_no_thread_and_loads_no_desktop_part(samples, tmp_path) -> None:
    data = tmp_path / "grids.pickle"
    data.write_bytes(pickle.dumps(grids_of(samples["zh-Hans"])))
    done = subprocess.run([sys.executable, "-c", PYODIDE_LIKE, str(data), str(Path(__file__).parent / "book")],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "crm_xl.book.lite" in loaded and "crm_xl.core.review.job" in loaded
    forbidden = [m for m in loaded if m.startswith(("crm_xl.book.files", "crm_xl.book.xlsx", "crm_xl.authoring",
                                                    "crm_xl.shells.xl", "crm_xl.shells.cli", "xlwings", "openpyxl",
                                                    "python_calamine", "xlsxwriter", "typer", "rich"))]
    assert not forbidden, forbidden


def test_the_report_speaks_the_workbook_language_with_the_buttons_captions() -> None:
    from crm_xl.authoring import vba

    macros = {"validate": "ValidateRows", "tiers": "RecomputeTiers", "stale": "FlagStale",
              "health": "AssessHealth", "review": "BuildReview", "run": "RunAll"}
    for job, (hans, en, hant) in lite.LABELS.items():
        button = next(b for b in vba.BUTTONS if b.macro == macros[job])
        assert (hans, en, hant) == (button.hans, button.en, button.hant), job
    assert lite.report([Summary("tiers", "A 1")], "en") == "Recompute tiers: A 1"
    assert set(lite.JOBS) == {*jobs.RUN_ORDER, "run"}


def test_an_unknown_job_is_refused_before_anything_is_read() -> None:
    book = litefake.FakeBook(Excel.from_grids({"S": [[1]]}))
    with pytest.raises(Exception, match="unknown job 'tier'"):
        lite.run(book, "tier")
    assert book.queue == []


def test_today_defaults_to_the_settings_or_the_clock(samples) -> None:
    excel = excel_of(samples["en"])
    report = run_script(excel, lambda book: lite.run(book, "review"))  # no today: the computer's date
    month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    assert month in report


def test_a_sheet_named_in_other_letter_case_is_replaced_in_place_as_the_file_engine_does(tmp_path) -> None:
    from helpers import write_workbook

    path = write_workbook(tmp_path / "case.xlsx", {
        "issues": [["an old issues sheet"]],
        "Customers": [["Customer", "Owner", "First contact", "Status"], ["A Co", "Wang", dt.datetime(2024, 3, 1), "Won"]],
        "TODAY": [["an old worklist"]],
    })
    excel = excel_of(path)
    lite_run(excel)
    assert excel.names()[:3] == ["Issues", "Customers", "Today"]
    assert_same_cells(excel, file_run(path, tmp_path))
