"""book/excel.py over a test double of xlwings: same results as the in-memory Book, bulk calls only."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from xlfake import FakeBook, comparable

from crm_xl.book.excel import QUIET, ExcelBook, freeze
from crm_xl.book.excel_values import cell_areas, from_excel, to_excel
from crm_xl.book.memory import MemoryBook
from crm_xl.model.layout import Chart, SheetLayout, Table, Text
from crm_xl.model.result import JobResult, Summary
from crm_xl.model.schema import SHEETS


def customers(n: int) -> list[dict]:
    return [{"customer": f"客户{i:05d}", "status": "跟进中", "owner": "小王", "phone": f"1380013{i:04d}",
             "first_contact": dt.datetime(2024, 1, 1 + i % 28)} for i in range(n)]


def books(n: int) -> tuple[MemoryBook, FakeBook]:
    """The same workbook in memory and 'in Excel'."""
    data = {"customers": customers(n),
            "tierlog": [{"customer": "客户00000", "tier": "B", "reason": "起始", "date": dt.datetime(2024, 1, 2)}]}
    memory = MemoryBook.from_frames(data, "zh-Hans")
    fake = FakeBook.from_grids(memory.sheets, memory.tables)
    return memory, fake


def result(n: int, columns: tuple[str, ...] = ("tier", "tier_reason", "next_due"), with_sheet: bool = True,
           alternate: bool = True) -> JobResult:
    rows = pd.Index(range(2, n + 2))
    values = {
        "tier": pd.Series(["A", "B", None, "C"] * (n // 4) + ["A"] * (n % 4), index=rows, dtype=object),
        "tier_reason": pd.Series([f"理由 {i}" if i % 3 else np.nan for i in range(n)], index=rows),
        "next_due": pd.Series([pd.Timestamp(2024, 3, 1 + i % 28) if i % 5 else pd.NaT for i in range(n)],
                              index=rows),
        "overdue_days": pd.Series([np.int64(i % 9) if i % 2 else pd.NA for i in range(n)], index=rows, dtype=object),
    }
    log = pd.DataFrame({"customer": [f"客户{i:05d}" for i in range(max(n // 10, 1))], "tier": "A",
                        "reason": "=1+1 不是公式", "date": pd.Timestamp(2024, 3, 15)})
    sheets = []
    if with_sheet:
        df = pd.DataFrame({"客户": [f"客户{i:05d}" for i in range(n)], "天数": [i % 30 for i in range(n)],
                           "占比": [i / max(n, 1) for i in range(n)],
                           "日期": [dt.datetime(2024, 3, 1 + i % 28) for i in range(n)],
                           "状态": ["逾期" if i % 2 else "将到期" for i in range(n)]})
        table = Table(df, title="逾期客户", formats={"天数": "int", "占比": "pct", "日期": "date"},
                      links={"客户": [f"'客户信息表'!A{i + 2}" for i in range(n)]},
                      row_styles=["error" if (i % 2 if alternate else i >= n // 2) else "warning" for i in range(n)],
                      highlight="状态",
                      note="说明", name="t")
        sheets.append(SheetLayout("今日待办", [Text("今日待办", "title"), table],
                                  charts=[Chart("column", "逾期", "t", "客户", ["天数"])], freeze="A4",
                                  aliases=("Today",)))
    return JobResult(Summary("test", "done"), columns={"customers": {k: values[k] for k in columns}},
                     appends={"tierlog": log}, sheets=sheets)


def apply_both(n: int, **kw) -> tuple[MemoryBook, ExcelBook, FakeBook]:
    memory, fake = books(n)
    excel = ExcelBook(fake)
    for book in (memory, excel):
        book.frames()
        book.apply(result(n, **kw))
        book.save()
    return memory, excel, fake



def test_same_cells_as_the_memory_book() -> None:
    memory, _, fake = apply_both(12)
    for name in ("客户信息表", "客户分级表", "今日待办"):
        assert comparable(fake.sheet(name).grid()) == comparable(memory.sheets[name]), name


def test_tables_grow_with_new_columns_and_appended_rows() -> None:
    memory, excel, fake = apply_both(12)
    assert {t.name: t.ref for t in memory.tables} == {t._name: t.ref for s in fake.sheets.items for t in s.tables.items}
    assert fake.sheet("客户信息表").tables.items[0].ref == "A1:H13"  # 12 rows, 5 input + 3 new columns
    assert fake.sheet("客户分级表").tables.items[0].ref == "A1:D3"  # one row appended


def test_values_are_normalised_for_excel() -> None:
    assert to_excel(np.nan) is None and to_excel(pd.NaT) is None and to_excel(pd.NA) is None
    assert to_excel(pd.Timestamp(2024, 3, 1, 9, 30)) == dt.datetime(2024, 3, 1, 9, 30)
    assert type(to_excel(pd.Timestamp(2024, 3, 1))) is dt.datetime
    assert to_excel(dt.date(2024, 3, 1)) == dt.datetime(2024, 3, 1)
    assert to_excel(np.int64(7)) == 7 and type(to_excel(np.int64(7))) is int
    assert to_excel(np.float64(0.5)) == 0.5
    # text Excel would turn into a formula, number, date or boolean stays text
    for text in ("=1+1", "+86 138", "-", "001", "2024-03-01", "TRUE", "'quoted", "@x"):
        assert to_excel(text) == "'" + text
    assert to_excel("客户甲") == "客户甲"
    assert from_excel(5.0) == 5 and type(from_excel(5.0)) is int and from_excel(5.5) == 5.5


def test_text_survives_the_round_trip() -> None:
    _, _, fake = apply_both(12)
    log = fake.sheet("客户分级表")
    assert log.cells[(3, 3)] == "=1+1 不是公式" and (3, 3) not in log.formulas
    phones = [v for (r, c), v in fake.sheet("客户信息表").cells.items() if r > 1 and c == 2]
    assert all(isinstance(v, str) for v in phones), "phone numbers written as text stay text"


def test_links_are_hyperlink_formulas_written_in_the_bulk_call() -> None:
    _, _, fake = apply_both(6)
    today = fake.sheet("今日待办")
    links = {k: f for k, f in today.formulas.items()}
    assert len(links) == 6
    assert links[(5, 1)] == '=HYPERLINK("#\'客户信息表\'!A2","客户00000")'
    assert today.cells[(5, 1)] == "客户00000"


def test_generated_sheet_formats_chart_freeze_and_place() -> None:
    _, _, fake = apply_both(8)
    today = fake.sheet("今日待办")
    assert today.number_formats[(5, 3)] == "0.0%" and today.number_formats[(5, 4)] == "yyyy-mm-dd"
    assert today.fills[(5, 5)] == (0xFF, 0xEB, 0x9C) and today.fills[(6, 5)] == (0xFF, 0xC7, 0xCE)  # row styles
    assert today.fills[(4, 2)] == (0x1F, 0x4E, 0x78)  # header
    assert today.fonts[(4, 1)]["bold"] is True
    assert today.fonts[(1, 1)]["size"] == 16  # title
    assert ("app.alert",) not in fake.calls  # freezing goes through the native window: not modelled, skipped
    (chart,) = today.charts.items
    assert chart.kwargs["chart_type"] == "column_clustered" and chart.title == "逾期"
    assert chart.x_values == "$A$5:$A$12" and chart.series[0].name == "天数"
    assert fake.sheets.names()[-1] == "今日待办"


def test_rebuilt_sheet_replaces_its_alias_in_place() -> None:
    memory, fake = books(4)
    fake.sheets.add("Today", after=fake.sheet("客户信息表")).cells[(1, 1)] = "old"
    fake.calls.clear()
    book = ExcelBook(fake)
    book.frames()
    book.apply(result(4))
    book.save()
    assert fake.sheets.names() == ["客户信息表", "今日待办", "客户分级表"]
    assert fake.sheet("今日待办").cells[(1, 1)] == "今日待办"


def test_writes_run_quietly_and_the_caller_book_is_not_saved() -> None:
    _, excel, fake = apply_both(4)
    assert fake.app.during and all(state[k] == v for state in fake.app.during for k, v in QUIET.items())
    assert fake.app.state == {"screen_updating": True, "calculation": "automatic", "enable_events": True}
    assert fake.saved == []


def test_a_book_opened_from_a_file_is_saved() -> None:
    memory, fake = books(3)
    book = ExcelBook(fake, save=True)
    book.frames()
    book.apply(result(3))
    book.save()
    assert fake.saved == [None]
    book.save("/tmp/copy.xlsm")
    assert fake.saved == [None, "/tmp/copy.xlsm"]


def test_nothing_is_written_when_a_value_cannot_be_converted() -> None:
    memory, fake = books(4)
    book = ExcelBook(fake)
    book.frames()
    res = result(4)
    res.columns["customers"]["tier"] = pd.Series([object()] * 4, index=range(2, 6))

    class Boom:
        def __str__(self) -> str:
            raise ValueError("cannot show")

    res.columns["customers"]["tier"].iloc[0] = Boom()
    book.apply(res)
    before = {s._name: dict(s.cells) for s in fake.sheets.items}
    with pytest.raises(ValueError):
        book.save()
    assert {s._name: dict(s.cells) for s in fake.sheets.items} == before
    assert not any(c[0].startswith("range.value.set") for c in fake.calls)


def round_trips(n: int, **kw) -> tuple[int, int]:
    """(calls to read the workbook, calls to write a job's result) for n customer rows."""
    _, fake = books(n)
    book = ExcelBook(fake)
    book.frames()
    reads = len(fake.calls)
    fake.calls.clear()
    book.apply(result(n, **kw))
    book.save()
    return reads, len(fake.calls)


def test_round_trips_grow_with_columns_not_rows() -> None:
    assert round_trips(10, alternate=False) == round_trips(1_000, alternate=False)
    assert round_trips(8, with_sheet=False) == round_trips(2_000, with_sheet=False)
    one = round_trips(100, columns=("tier",), with_sheet=False)[1]
    three = round_trips(100, columns=("tier", "tier_reason", "next_due"), with_sheet=False)[1]
    four = round_trips(100, columns=("tier", "tier_reason", "next_due", "overdue_days"), with_sheet=False)[1]
    assert one < three < four


def test_scattered_row_styles_cost_one_call_per_rectangle() -> None:
    """Rows highlighted one by one (error, warning, error …) cost a call per rectangle and style property
    (no multi-area addresses: xlwings on macOS keeps only their first cell); the jobs' sheets sort rows by
    style, so there the count does not grow with rows (test_round_trips_grow_with_columns_not_rows)."""
    small, large = round_trips(10)[1], round_trips(1_000)[1]
    assert small < large <= small + 2 * (1_000 - 10)


def test_on_macos_styles_land_on_every_area() -> None:
    memory, fake = books(8)
    fake = FakeBook.from_grids(memory.sheets, memory.tables, engine="mac")
    book = ExcelBook(fake)
    book.frames()
    book.apply(result(8))
    book.save()
    today = fake.sheet("今日待办")
    errors = [r for r in range(5, 13) if today.fills.get((r, 5)) == (0xFF, 0xC7, 0xCE)]
    warnings = [r for r in range(5, 13) if today.fills.get((r, 5)) == (0xFF, 0xEB, 0x9C)]
    assert errors == [6, 8, 10, 12] and warnings == [5, 7, 9, 11]
    assert all(today.number_formats[(r, 3)] == "0.0%" for r in range(5, 13))
    assert not any("," in str(part) for call in fake.calls for part in call[1:2] if str(part).startswith("$"))


def test_the_mac_fake_keeps_only_the_first_cell_of_a_multi_area_address() -> None:
    fake = FakeBook.from_grids({"S": [[1]]}, engine="mac")
    rng = fake.sheet("S").range("A5:A9,C5:C9")
    assert rng.areas == [(5, 1, 5, 1)]
    assert FakeBook.from_grids({"S": [[1]]}).sheet("S").range("A5:A9,C5:C9").areas == [(5, 1, 9, 1), (5, 3, 9, 3)]


def test_each_column_is_one_bulk_value_call() -> None:
    _, fake = books(500)
    book = ExcelBook(fake)
    book.frames()
    fake.calls.clear()
    book.apply(result(500, with_sheet=False))
    book.save()
    value_sets = [c for c in fake.calls if c[0] == "range.value.set"]
    # 3 columns: header + body each; the tier log append: one run of adjacent columns
    assert len(value_sets) == 3 * 2 + 1
    assert ("range.value.set", "$Y$2:$Y$501") in value_sets or any(c[1].endswith("501") for c in value_sets)


def test_reading_is_one_call_per_sheet_and_matches_memory() -> None:
    memory, fake = books(50)
    book = ExcelBook(fake)
    frames = book.frames()
    reads = [c for c in fake.calls if c[0] == "range.value.get"]
    assert len(reads) == len({c[1] for c in reads}) <= len(fake.sheets.items)
    mem = memory.frames()
    pd.testing.assert_frame_equal(frames.customers.data.map(from_excel), mem.customers.data.map(from_excel))


def test_a_used_range_swollen_by_formatting_is_trimmed_to_the_data() -> None:
    memory, fake = books(30)
    fake.sheet("客户信息表").formatted_to = 1_048_576
    book = ExcelBook(fake)
    frames = book.frames()
    assert len(frames.customers.data) == 30
    reads = [c for c in fake.calls if c[0] == "range.value.get"]
    assert ("range.value.get", "$A$1:$E$31") in reads
    assert len([c for c in fake.calls if c[0] == "range.end"]) == 5  # one per column, not per row


def test_cell_areas_cover_every_cell_once() -> None:
    cells = [(r, c) for r in range(1, 400, 2) for c in (1, 2, 5)] + [(r, 7) for r in range(3, 30)]
    areas = cell_areas(cells)
    covered = [(r, c) for r1, c1, r2, c2 in areas for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    assert sorted(covered) == sorted(set(cells))
    assert cell_areas([(2, 1), (3, 1), (2, 2), (3, 2)]) == [(2, 1, 3, 2)]


class Recorded:
    """A native object (COM or appscript) that records what is done to it."""

    def __init__(self, log: list, path: str, fail_on: str | None = None) -> None:
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_fail_on", fail_on)

    def _check(self, what: str) -> None:
        if self._fail_on and what.startswith(self._fail_on):
            raise RuntimeError("refused: " + what)

    def __getattr__(self, name: str) -> Recorded:
        return Recorded(self._log, f"{self._path}.{name}", self._fail_on)

    def __setattr__(self, name: str, value) -> None:
        self._check(f"{self._path}.{name}")
        self._log.append((f"{self._path}.{name}", value))

    def __call__(self, *args):
        self._check(self._path)
        self._log.append((self._path, *args))
        return Recorded(self._log, f"{self._path}()", self._fail_on)

    def __getitem__(self, key) -> Recorded:
        return Recorded(self._log, f"{self._path}[{key}]", self._fail_on)


def test_freeze_on_windows_activates_splits_freezes_and_goes_back() -> None:
    log: list = []
    assert freeze(Recorded(log, "wb"), Recorded(log, "ws"), "B4", platform="win32") is True
    assert log == [("wb.Windows", 1), ("ws.Activate",), ("wb.Windows().FreezePanes", False),
                   ("wb.Windows().ScrollRow", 1), ("wb.Windows().ScrollColumn", 1), ("wb.Windows().SplitRow", 3),
                   ("wb.Windows().SplitColumn", 1), ("wb.Windows().FreezePanes", True),
                   ("wb.ActiveSheet.Activate",)]
    assert ("wb.Windows().SplitRow", 3) in log and ("wb.Windows().FreezePanes", True) in log
    assert log.index(("ws.Activate",)) < log.index(("wb.Windows().FreezePanes", True)) < len(log) - 1
    assert log[-1] == ("wb.ActiveSheet.Activate",)


def test_freeze_on_macos_goes_through_appscript() -> None:
    log: list = []
    assert freeze(Recorded(log, "wb"), Recorded(log, "ws"), "A2", platform="darwin") is True
    sets = [e for e in log if e[0].endswith(".set")]
    assert ("wb.windows[1].split_row.set", 1) in sets and ("wb.windows[1].split_column.set", 0) in sets
    assert sets[-1] == ("wb.windows[1].freeze_panes.set", True)
    assert ("ws.activate_object",) in log and log[-1][0].startswith("wb.sheets[")


def test_freeze_gives_up_quietly_and_reactivates_the_previous_sheet() -> None:
    log: list = []
    assert freeze(Recorded(log, "wb", fail_on="wb.Windows().SplitRow"), Recorded(log, "ws"), "A4",
                  platform="win32") is False
    assert log[-1] == ("wb.ActiveSheet.Activate",)
    assert freeze(Recorded([], "wb", fail_on="ws.Activate"), Recorded([], "ws", fail_on="ws.Activate"), "A4",
                  platform="win32") is False


def test_set_cells_creates_a_hidden_sheet() -> None:
    _, fake = books(2)
    book = ExcelBook(fake)
    book.set_cells("xlwings.conf", {(1, 1): "Interpreter_Win", (1, 2): r"C:\py\pythonw.exe"}, hidden=True)
    book.save()
    conf = fake.sheet("xlwings.conf")
    assert conf.visible is False and conf.cells[(1, 2)] == r"C:\py\pythonw.exe"


def test_schema_sheet_names_used_here() -> None:
    assert SHEETS["customers"].name("zh-Hans") == "客户信息表"
    assert SHEETS["tierlog"].name("zh-Hans") == "客户分级表"
