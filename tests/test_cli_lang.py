"""The CLI speaks the workbook's language once it is known: the `Saved` and `Error:` lines, `info`, and the
"more rows" line — and English for the file checks made before anything is read."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from crm_xl.authoring import template
from crm_xl.model.result import Summary
from crm_xl.shells import cli

runner = CliRunner()

SAVED = {"zh-Hans": "已保存 ", "zh-Hant": "已儲存 ", "en": "Saved "}
ERROR = {"zh-Hans": "错误：", "zh-Hant": "錯誤：", "en": "Error: "}


def new_book(tmp_path: Path, lang: str, sample: bool = False) -> Path:
    return template.create(tmp_path / f"{lang}.xlsx", lang=lang, sample=sample)


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_saved_line_in_the_workbook_language(tmp_path: Path, lang: str) -> None:
    path = new_book(tmp_path, lang)
    r = runner.invoke(cli.app, ["run", str(path), "--today", "2024-04-01"])
    assert r.exit_code == 0, r.output
    assert r.stdout.rstrip().splitlines()[-1] == f"{SAVED[lang]}{path}"
    assert all(r.stdout.rstrip().splitlines()[-1] != f"{other}{path}" for k, other in SAVED.items() if k != lang)


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_error_line_in_the_workbook_language_once_known(tmp_path: Path, lang: str) -> None:
    path = new_book(tmp_path, lang)
    wb = openpyxl.load_workbook(path)
    del wb[wb.sheetnames[1]]  # the Customers sheet (after the instructions)
    wb.save(path)
    r = runner.invoke(cli.app, ["validate", str(path)])
    assert r.exit_code == 2
    assert r.stderr.startswith(ERROR[lang]), r.stderr
    assert r.stderr.count("\n") == 1


def test_file_check_errors_stay_english(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    r = runner.invoke(cli.app, ["validate", str(path)])
    assert r.exit_code == 2 and r.stderr.startswith("Error: ")


@pytest.mark.parametrize(("lang", "heading", "other"), [
    ("zh-Hans", "数据表", "其他工作表："), ("zh-Hant", "數據表", "其他工作表："), ("en", "Data sheets", "Other sheets:"),
])
def test_info_in_the_workbook_language(tmp_path: Path, lang: str, heading: str, other: str) -> None:
    path = new_book(tmp_path, lang)
    r = runner.invoke(cli.app, ["info", str(path)])
    assert r.exit_code == 0, r.output
    assert heading in r.stdout and other in r.stdout


@pytest.mark.parametrize(("lang", "headline", "line"), [
    ("zh-Hans", "级别变动 500 个", "……还有 480 行（--json 输出全部）"),
    ("zh-Hant", "級別變動 500 個", "……還有 480 列（--json 輸出全部）"),
    ("en", "500 changes", "… and 480 more rows (--json prints them all)"),
])
def test_more_rows_line_in_the_summaries_language(capsys: pytest.CaptureFixture[str], lang: str, headline: str,
                                                   line: str) -> None:
    table = pd.DataFrame({"c": [f"c{i:04d}" for i in range(500)]})
    cli.show([Summary("tiers", headline, tables=[(headline, table)], lang=lang)], as_json=False)
    shown = capsys.readouterr().out
    assert line in shown
    assert cli.summaries_lang([Summary("tiers", headline, lang=lang)]) == lang


def test_check_column_is_amber_for_warnings_only_and_pink_for_errors(tmp_path: Path) -> None:
    """The template's 校验结果 rules: OK green, a text starting with the warning mark amber, any other pink."""
    from crm_xl.model import theme

    path = new_book(tmp_path, "zh-Hans")
    ws = openpyxl.load_workbook(path)["客户信息表"]
    head = [c.value for c in ws[2]]
    letter = openpyxl.utils.get_column_letter(head.index("校验结果") + 1)
    rules = [(r.formula[0], r.dxf.fill.bgColor.rgb)
             for cf in ws.conditional_formatting for r in cf.rules if str(cf.sqref).startswith(letter)]
    assert [fill[-6:] for _, fill in rules] == [theme.OK_FILL, theme.WARNING_FILL, theme.ERROR_FILL]
    assert '"警告："' in rules[1][0] and '"warning:"' in rules[1][0]
    assert ws.column_dimensions[letter].width >= 50


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_every_job_summary_carries_the_workbook_language(tmp_path: Path, lang: str) -> None:
    """The language of the Saved and more-rows lines is what the jobs knew, not guessed from their texts."""
    import crm_xl

    summaries = crm_xl.run_all(new_book(tmp_path, lang), today="2024-04-01")
    assert {s.lang for s in summaries} == {lang}
