"""template.py and sample.py: workbooks read back by openpyxl, python-calamine and the raw XML."""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from typer.testing import CliRunner

from crm_xl.authoring import sample, template
from crm_xl.authoring.template_sheets import template_columns
from crm_xl.book.files import FileBook
from crm_xl.book.memory import settings_grid
from crm_xl.model.errors import UsageError
from crm_xl.model.i18n import LANGS
from crm_xl.model.parse import is_blank, parse_amount, parse_budget, parse_contact, parse_datetime
from crm_xl.model.schema import (
    CUSTOMERS,
    DATA_SHEETS,
    ENUMS,
    INSTRUCTIONS_SHEET,
    SETTINGS_SHEET,
    STATUS,
)
from crm_xl.model.settings import DEFAULT_LISTS, LISTS, Settings
from crm_xl.shells.cli import app

SHEET_ORDER = ["instructions", "customers", "followups", "tierlog", "conversions", "complaints", "surveys", "settings"]


def sheet_names(lang: str) -> list[str]:
    by_key = {s.key: s.name(lang) for s in DATA_SHEETS}
    by_key["instructions"] = INSTRUCTIONS_SHEET.name(lang)
    by_key["settings"] = SETTINGS_SHEET.name(lang)
    return [by_key[k] for k in SHEET_ORDER]


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("empty")
    return {lang: template.create(folder / f"crm-{lang}.xlsx", lang=lang) for lang in LANGS}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sample")
    return {lang: template.create(folder / f"sample-{lang}.xlsx", lang=lang, sample=True) for lang in LANGS}


# --- the empty template in each language ------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_openpyxl_reads_sheets_tables_and_headers(empty: dict[str, Path], lang: str) -> None:
    wb = openpyxl.load_workbook(empty[lang])
    assert wb.sheetnames == sheet_names(lang)
    for sheet in DATA_SHEETS:
        ws = wb[sheet.name(lang)]
        assert list(ws.tables) == [sheet.table]
        last = openpyxl.utils.get_column_letter(len(template_columns(sheet)))
        assert ws.tables[sheet.table].ref == f"A2:{last}3"
        assert [c.value for c in ws[2]] == [c.header(lang) for c in template_columns(sheet)]
        assert ws.freeze_panes == "B3"
        assert ws["A1"].value == sheet.name(lang)


@pytest.mark.parametrize("lang", LANGS)
def test_calamine_reads_tables_and_headers(empty: dict[str, Path], lang: str) -> None:
    wb = python_calamine.CalamineWorkbook.from_path(str(empty[lang]), load_tables=True)
    assert wb.sheet_names == sheet_names(lang)
    assert sorted(wb.table_names) == sorted(s.table for s in DATA_SHEETS)
    for sheet in DATA_SHEETS:
        table = wb.get_table_by_name(sheet.table)
        assert table.sheet == sheet.name(lang)
        assert list(table.columns) == [c.header(lang) for c in template_columns(sheet)]
        rows = wb.get_sheet_by_name(sheet.name(lang)).to_python()
        assert rows[1][: len(template_columns(sheet))] == [c.header(lang) for c in template_columns(sheet)]


def _validations(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, object]:
    """Column letter → DataValidation of a data sheet."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            out[re.match(r"[A-Z]+", rng).group(0)] = dv
            assert rng.endswith("1048576") and re.search(r"[A-Z]+3:", rng), rng
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_validations_feed_from_settings_lists_and_enums(empty: dict[str, Path], lang: str) -> None:
    wb = openpyxl.load_workbook(empty[lang])
    for sheet in DATA_SHEETS:
        dvs = _validations(wb[sheet.name(lang)])
        for j, column in enumerate(template_columns(sheet), start=1):
            letter = openpyxl.utils.get_column_letter(j)
            dv = dvs.get(letter)
            if column.computed:
                assert dv is None, (sheet.key, column.key)
            elif column.kind == "choice":
                assert dv.type == "list" and dv.errorStyle in (None, "stop")
                assert dv.formula1 == '"' + ",".join(ENUMS[column.enum].labels(lang)) + '"'
            elif column.kind == "list":
                assert dv.type == "list" and dv.formula1 == f"crm_{column.list}"
                assert dv.errorStyle == "warning"
            elif column.kind in ("date", "datetime"):
                assert dv.type == "date"
    status = dvs_status = _validations(wb[CUSTOMERS.name(lang)])
    col = openpyxl.utils.get_column_letter(CUSTOMERS.keys.index("status") + 1)
    assert status[col].formula1 == '"' + ",".join(STATUS.labels(lang)) + '"'
    assert dvs_status  # customer names of the other sheets come from Customers
    follow = _validations(wb[DATA_SHEETS[1].name(lang)])
    assert follow["A"].formula1 == "crm_customers"


@pytest.mark.parametrize("lang", LANGS)
def test_defined_names_point_at_settings_lists(empty: dict[str, Path], lang: str) -> None:
    wb = openpyxl.load_workbook(empty[lang])
    settings = SETTINGS_SHEET.name(lang)
    for j, key in enumerate(LISTS):
        letter = openpyxl.utils.get_column_letter(5 + j)
        text = wb.defined_names[f"crm_{key}"].attr_text
        assert text == (f"'{settings}'!${letter}$2:INDEX('{settings}'!${letter}$2:${letter}$201,"
                        f"MAX(1,COUNTA('{settings}'!${letter}$2:${letter}$201)))")
        assert wb[settings].cell(1, 5 + j).value == LISTS[key].label(lang)
    assert wb.defined_names["crm_customers"].attr_text.startswith(f"'{CUSTOMERS.name(lang)}'!$A$3:INDEX(")
    # the raw XML agrees (a second reader)
    with zipfile.ZipFile(empty[lang]) as zf:
        xml = zf.read("xl/workbook.xml").decode()
    names = dict(re.findall(r'<definedName name="(crm_\w+)">([^<]*)</definedName>', xml))
    assert set(names) == {f"crm_{k}" for k in LISTS} | {"crm_customers"}


@pytest.mark.parametrize("lang", LANGS)
def test_settings_read_back_as_defaults(empty: dict[str, Path], lang: str) -> None:
    with FileBook(empty[lang]) as book:
        assert book.settings() == Settings.defaults(lang)
        assert book.lang == lang
        frames = book.frames()
        assert all(len(f.data) == 0 for f in frames.present())
        assert [f.header_row for f in frames.present()] == [2] * len(DATA_SHEETS)
    # the Settings cells are those of book.memory.settings_grid (plus a note under the settings)
    wb = python_calamine.CalamineWorkbook.from_path(str(empty[lang]))
    grid = wb.get_sheet_by_name(SETTINGS_SHEET.name(lang)).to_python()
    expected = settings_grid(Settings.defaults(lang), lang)
    for r, line in enumerate(expected):
        for c, value in enumerate(line):
            got = grid[r][c] if r < len(grid) and c < len(grid[r]) else ""
            want = "" if value is None else value
            assert got == want or (isinstance(want, int | float) and float(got) == float(want)), (r, c, got, want)


def test_instructions_sheet_explains_the_five_steps(empty: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(empty["zh-Hans"])
    ws = wb[INSTRUCTIONS_SHEET.name("zh-Hans")]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for word in ("1 收集", "2 分级", "3 按级别跟进", "4 成交后维护", "5 月度复盘", "crm-xl run", "颜色说明",
                 "crm-xl validate", "crm-xl stale", "crm-xl review"):
        assert word in text
    assert wb.sheetnames[0] == "使用说明" and wb.active.title == "使用说明"


# --- arguments --------------------------------------------------------------------------------------


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "crm.xlsx"
    path.write_bytes(b"mine")
    with pytest.raises(UsageError, match=r"crm\.xlsx: already exists; pass --force to overwrite it"):
        template.create(path)
    assert path.read_bytes() == b"mine"
    template.create(path, force=True)
    assert zipfile.is_zipfile(path)
    assert [p.name for p in tmp_path.iterdir()] == ["crm.xlsx"]


def test_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = template.create(tmp_path / "crm.xlsx")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    path.chmod(0o664)
    template.create(path, force=True)
    assert path.stat().st_mode & 0o777 == 0o664  # a replaced file keeps its mode


def test_bad_language_lists_the_three(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown language 'fr': use one of zh-Hans, zh-Hant, en"):
        template.create(tmp_path / "crm.xlsx", lang="fr")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("name", "macros", "message"), [
    ("crm.xlsm", False, "a new workbook must be an .xlsx file (add --macros for a workbook with buttons)"),
    ("crm.xls", False, "a new workbook must be an .xlsx file"),
    ("crm.xlsx", True, "a workbook with buttons (--macros) must be an .xlsm file"),
])
def test_suffix_must_match_macros(tmp_path: Path, name: str, macros: bool, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        template.create(tmp_path / name, macros=macros)
    assert not list(tmp_path.iterdir())


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        template.create(tmp_path / "nope" / "crm.xlsx")


def test_macros_build_or_clear_error_and_no_leftovers(tmp_path: Path) -> None:
    path = tmp_path / "crm.xlsm"
    try:
        template.create(path, macros=True)
    except UsageError as exc:  # until the buttons engineer implements crm_xl.authoring.vba.decorate
        assert "not available" in str(exc)
        assert not list(tmp_path.iterdir())
    else:
        assert zipfile.is_zipfile(path)


def test_cli_new(tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "team.xlsx"
    result = runner.invoke(app, ["new", str(path), "--lang", "en", "--sample"])
    assert result.exit_code == 0, result.output
    assert path.exists()
    again = runner.invoke(app, ["new", str(path)])
    assert again.exit_code == 2
    assert "already exists" in again.output


# --- determinism and the committed files ------------------------------------------------------------


def test_builds_are_byte_identical(tmp_path: Path) -> None:
    a = template.build(tmp_path / "a.xlsx", sample=True)
    b = template.build(tmp_path / "b.xlsx", sample=True)
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("name", list(template.COMMITTED))
def test_committed_workbooks_match_a_fresh_build(tmp_path: Path, name: str) -> None:
    committed = template.WORKBOOK_DIR / name
    assert committed.exists(), f"workbook/{name} is missing: run python -m crm_xl.authoring.template"
    fresh = template.create(tmp_path / name, **template.COMMITTED[name])
    assert fresh.read_bytes() == committed.read_bytes(), (
        f"workbook/{name} is stale: run python -m crm_xl.authoring.template and commit it")


def test_main_rebuilds_into_a_folder(tmp_path: Path) -> None:
    assert template.main(["--dir", str(tmp_path), "crm.xlsx"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["crm.xlsx"]


# --- the sample -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_sample_frames_and_settings(samples: dict[str, Path], lang: str) -> None:
    data = sample.data(lang)
    with FileBook(samples[lang]) as book:
        frames = book.frames()
        for s in DATA_SHEETS:
            assert len(frames.data(s.key)) == len(data[s.key]), s.key
        settings = book.settings()
        assert settings.owners == sample.owners(lang)
        assert settings.today is None
        assert book.lang == lang
        customers, follow = frames.data("customers"), frames.data("followups")
        assert {STATUS.parse(v) for v in customers["status"]} == {"open", "won", "lost", "paused"}
        for key, values in (("sources", customers["source"]), ("methods", follow["method"]),
                            ("lost_reasons", customers["lost_reason"])):
            found = {settings.in_list(key, v) for v in values if not is_blank(v)}
            assert found == set(getattr(settings, key)), key
        assert set(customers["owner"]) == set(sample.owners(lang))


def test_sample_counts_and_timeline() -> None:
    data = sample.data()
    assert 55 <= len(data["customers"]) <= 70
    assert 380 <= len(data["followups"]) <= 480
    dates = [parse_datetime(r["date"]).date() for r in data["followups"]]
    typo = sample.FUTURE_TYPO[2]
    assert min(dates) >= dt.date(2023, 12, 1)
    assert max(d for d in dates if d != typo) <= dt.date(2024, 3, 31)
    first = [r["first_contact"] for r in data["customers"]]
    assert sum(dt.date(2023, 11, 1) <= d <= dt.date(2024, 3, 25) for d in first) >= len(first) - 3
    lost_on = {r["lost_on"].month for r in data["customers"] if r["lost_on"]}
    assert lost_on == {1, 2, 3}
    won = {r["customer"] for r in data["customers"] if STATUS.parse(r["status"]) == "won"}
    converted = {r["customer"] for r in data["conversions"]}
    assert won <= converted and converted - won == {"AA生物制药"}
    months = {(r["date"].month, r["customer"]) for r in data["conversions"] if r["date"].year == 2024}
    assert len({c for m, c in months if m == 2}) >= 4 and len({c for m, c in months if m == 3}) >= 4
    nps = [r["nps"] for r in data["customers"] if r["nps"] is not None]
    assert any(n < 0 for n in nps) and all(-100 <= n <= 100 for n in nps)
    assert sum(1 for r in data["customers"] if r["tier_override"]) == 2
    names = {r["customer"] for r in data["customers"]}
    assert len(names) == len(data["customers"])
    assert {r["customer"] for r in data["followups"]} <= names
    assert names - {r["customer"] for r in data["followups"]} == {"鸿运汽车服务有限公司", "星辰智能科技有限公司",
                                                                  "安泰安防科技有限公司"}


def test_sample_keeps_the_toolkit_examples_verbatim() -> None:
    data = sample.data()
    customers = {r["customer"]: r for r in data["customers"]}
    tech, yy = customers["科技有限公司"], customers["YY贸易集团"]
    assert (tech["industry"], tech["contact"], tech["title"], tech["need"], tech["budget"], tech["source"],
            tech["notes"]) == ("互联网", "*总", "总经理", "企业级CRM系统采购", "50-80万", "展会推荐", "注重数据安全性")
    assert (yy["industry"], yy["contact"], yy["title"], yy["phone"], yy["need"], yy["budget"], yy["source"],
            yy["decision_maker"], yy["notes"]) == ("制造业", "*经理", "采购经理", "1395678", "供应链管理软件",
                                                   "30-50万", "线上广告", "*总监", "决策流程较长,需多部门确认")
    for rows, verbatim in ((data["followups"], sample.FOLLOWUPS_VERBATIM), (data["tierlog"], sample.TIERLOG_VERBATIM),
                           (data["conversions"], sample.CONVERSIONS_VERBATIM)):
        for row in verbatim:
            assert any(all(r.get(k) == v for k, v in row.items()) for r in rows), row
    assert "ZZ文化传媒" not in customers and "AA生物制药" not in customers
    yy_first = next(r for r in data["followups"] if r["customer"] == "YY贸易集团" and r["date"] == dt.date(2024, 3, 2))
    assert yy_first["method"] is None


def test_sample_has_exactly_the_deliberate_mistakes() -> None:
    """The problems validation should find are the documented ones — no accidental others."""
    data = sample.data()
    customers = data["customers"]
    bad_contact = {r["customer"] for r in customers if r["phone"] and parse_contact(r["phone"]) is None}
    assert bad_contact == {"YY贸易集团", "瑞康医疗器械股份有限公司"}
    assert {r["customer"] for r in customers if is_blank(r["contact"])} == {"新锐广告传媒有限公司"}
    assert [r["customer"] for r in data["followups"] if is_blank(r["method"])] == ["YY贸易集团"]
    future = [r for r in data["followups"] if parse_datetime(r["date"]).date() > dt.date(2024, 4, 1)]
    assert [(r["customer"], r["date"].date()) for r in future] == [("博远教育科技有限公司", dt.date(2024, 5, 3))]
    names = {r["customer"] for r in customers}
    assert {r["customer"] for r in data["tierlog"]} - names == {"ZZ文化传媒"}
    assert {r["customer"] for r in data["conversions"]} - names == {"AA生物制药"}
    phones: dict[str, list[str]] = {}
    for r in customers:
        contact = parse_contact(r["phone"]) if r["phone"] else None
        if contact:
            phones.setdefault(contact[1], []).append(r["customer"])
    assert [v for v in phones.values() if len(v) > 1] == [["华信物流有限公司", "华信物流集团"]]
    for r in customers:
        assert r["budget"] is None or parse_budget(r["budget"]) is not None, r
        if STATUS.parse(r["status"]) == "lost":
            assert r["lost_reason"] and r["lost_on"], r
        assert r["first_contact"] <= r["entered_on"].date()
        assert r["verified_on"] is None or r["first_contact"] <= r["verified_on"] <= dt.date(2024, 3, 31)
    late = {r["customer"] for r in customers
            if r["entered_on"] - dt.datetime.combine(r["first_contact"], dt.time(0)) > dt.timedelta(hours=24)}
    assert late == set(sample.LATE_ENTRY)
    first = {r["customer"]: r["first_contact"] for r in customers}
    for r in data["followups"]:
        assert parse_datetime(r["date"]).date() >= first[r["customer"]], r
    assert all(parse_amount(r["amount"]) > 0 for r in data["conversions"])
    owners = {r["customer"]: r["owner"] for r in customers}
    covered = [r for r in data["followups"] if r["owner"] != owners[r["customer"]]]
    assert len(covered) == len(sample.COVERED_BY)


def test_sample_languages_translate_lists_and_enums() -> None:
    en = sample.data("en")["customers"]
    assert {r["status"] for r in en} == {"Open", "Won", "Lost", "Paused"}
    assert {r["source"] for r in en} == set(DEFAULT_LISTS["sources"]["en"])
    hant = sample.data("zh-Hant")["customers"]
    assert {r["owner"] for r in hant} == {"小王", "小李", "小張", "小陳"}
    assert "客戶" in "".join(str(r["notes"]) for r in hant) or any("戶" in str(r["notes"]) for r in hant)


def test_sample_is_deterministic() -> None:
    assert sample.generate() == sample.generate()
