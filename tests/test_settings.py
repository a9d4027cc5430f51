"""Settings: SPEC.md defaults, reading the Settings sheet in any language, errors naming the cell."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_xl.book.memory import MemoryBook, settings_grid
from crm_xl.model.errors import SettingsError
from crm_xl.model.settings import Settings, read_settings


def test_spec_defaults():
    s = Settings()
    assert (s.cadence_a, s.cadence_b, s.cadence_c) == (1, 3, 7)
    assert (s.a_close_days, s.b_close_days, s.entry_lag_hours, s.verify_age_days) == (14, 90, 24, 7)
    assert (s.churn_nps_below, s.churn_no_conversion_days) == (0, 90)
    assert s.sources == ["展会推荐", "转介绍", "线上广告", "官网", "电话营销", "其他"]
    assert s.lost_reasons == ["价格异议", "需求不明确", "选择竞品", "预算不足", "其他"]
    assert s.today is None and s.language is None and not s.working_days


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_round_trip_through_the_sheet(lang):
    settings = Settings.defaults(lang).model_copy(update={"cadence_b": 2, "owners": ["小王", "小李"],
                                                          "working_days": True, "today": dt.date(2024, 3, 15)})
    grid = settings_grid(settings, lang)
    back = read_settings(grid, "设置", "en")
    assert back.cadence_b == 2 and back.owners == ["小王", "小李"] and back.working_days
    assert back.today == dt.date(2024, 3, 15)
    assert back.sources == Settings.defaults(lang).sources


def _grid_with(label: str, value: object) -> list[list[object]]:
    grid = settings_grid(Settings(), "zh-Hans")
    for row in grid:
        if row[0] == label:
            row[1] = value
    return grid


def test_bad_value_names_its_cell():
    grid = _grid_with("B类跟进间隔(天)", "abc")
    row = next(i for i, r in enumerate(grid, start=1) if r[0] == "B类跟进间隔(天)")
    with pytest.raises(SettingsError) as err:
        read_settings(grid, "设置")
    assert str(err.value) == f"设置!B{row}：B类跟进间隔(天)应为 ≥ 1 的整数天数，实际为“abc”"
    assert err.value.cell == f"设置!B{row}"
    assert err.value.rule == "cadence for tier B must be a whole number of days ≥ 1"  # for machines


@pytest.mark.parametrize(("sheet", "message"), [
    ("設定", "設定!B{row}：B類跟進間隔(天)應為 ≥ 1 的整數天數，實際為“abc”"),
    ("Settings", 'Settings!B{row}: cadence for tier B must be a whole number of days ≥ 1, got "abc"'),
])
def test_a_bad_cell_speaks_the_sheet_language(sheet, message):
    grid = _grid_with("B类跟进间隔(天)", "abc")
    row = next(i for i, r in enumerate(grid, start=1) if r[0] == "B类跟进间隔(天)")
    with pytest.raises(SettingsError) as err:
        read_settings(grid, sheet)
    assert str(err.value) == message.format(row=row)


@pytest.mark.parametrize(
    ("label", "value", "rule"),
    [
        ("B类跟进间隔(天)", 0, "cadence for tier B must be a whole number of days ≥ 1"),
        ("B类跟进间隔(天)", 2.5, "cadence for tier B must be a whole number of days ≥ 1"),
        ("按工作日计算", "maybe", "must be yes/no (是/否)"),
        ("固定今天", "soon", "must be a date or blank"),
        ("A类贡献占比", "150%", "revenue share must be a fraction between 0 and 1 (e.g. 80%)"),
        ("金额单位", "美元", "money unit must be 万 or 元"),
        ("工作簿语言", "Klingon", "must be zh-Hans, zh-Hant or en"),
    ],
)
def test_bad_values(label, value, rule):
    with pytest.raises(SettingsError) as err:
        read_settings(_grid_with(label, value), "设置")
    assert err.value.rule == rule or err.value.rule.endswith(rule)
    assert str(err.value).startswith(f"{err.value.cell}：{label}应为")  # in the sheet's language


def test_blank_values_keep_defaults_and_percent_is_read():
    grid = _grid_with("B类跟进间隔(天)", None)
    grid = [[*r] for r in grid]
    for row in grid:
        if row[0] == "A类贡献占比":
            row[1] = "70%"
    s = read_settings(grid, "设置")
    assert s.cadence_b == 3 and s.pareto_share == pytest.approx(0.7)


def test_english_labels_and_unknown_rows_ignored():
    grid = [["Setting", "Value"], ["Cadence tier C (days)", 5], ["Something else", "x"], ["Workbook language", "en"]]
    s = read_settings(grid, "Settings")
    assert s.cadence_c == 5 and s.language == "en" and s.sources[0] == "Trade show"


def test_book_without_settings_sheet_uses_defaults_in_header_language():
    book = MemoryBook({"Customers": [["Customer", "Owner"], ["Acme", "Ann"]]})
    assert book.settings().sources[0] == "Trade show"
    assert book.lang == "en"


def test_settings_language_overrides_headers():
    grid = [["设置项", "值"], ["工作簿语言", "繁體中文"]]
    book = MemoryBook({"客户信息表": [["客户名称"], ["甲"]], "设置": grid})
    assert book.lang == "zh-Hant"


def test_in_list_matches_other_languages():
    s = Settings()
    assert s.in_list("sources", "展會推薦") == "展会推荐"
    assert s.in_list("sources", "Referral") == "转介绍"
    assert s.in_list("sources", "  官网 ") == "官网"
    assert s.in_list("sources", "朋友圈") is None
    assert s.is_upsell_tag("增購意向") and s.is_upsell_tag("Upsell intent") and not s.is_upsell_tag("价格敏感")


def test_in_list_does_not_accept_items_the_team_removed():
    s = Settings(sources=["转介绍", "官网"])
    assert s.in_list("sources", "Referral") == "转介绍"
    assert s.in_list("sources", "展会推荐") is None and s.in_list("sources", "Trade show") is None
    en = Settings.defaults("en")
    assert en.in_list("sources", "转介绍") == "Referral"


def _grid_set(**cells: object) -> list[list[object]]:
    """The default zh-Hans Settings grid with column B of the rows labelled as the keys set."""
    grid = settings_grid(Settings(), "zh-Hans")
    for row in grid:
        if row[0] in cells:
            row[1] = cells[row[0]]
    return grid


def _row(grid: list[list[object]], label: str) -> int:
    return next(i for i, r in enumerate(grid, start=1) if r[0] == label)


def test_every_bad_cell_is_reported_at_once():
    grid = _grid_set(**{"B类跟进间隔(天)": "abc", "金额单位": "美元", "按工作日计算": "maybe"})
    with pytest.raises(SettingsError) as err:
        read_settings(grid, "设置")
    b, unit, days = _row(grid, "B类跟进间隔(天)"), _row(grid, "金额单位"), _row(grid, "按工作日计算")
    lines = str(err.value).splitlines()
    assert lines[0] == "设置表中有 3 个单元格有误："
    assert lines[1:] == [
        f"  设置!B{b}：B类跟进间隔(天)应为 ≥ 1 的整数天数，实际为“abc”",
        f"  设置!B{days}：按工作日计算应为 是 或 否，实际为“maybe”",
        f"  设置!B{unit}：金额单位应为 万 或 元，实际为“美元”",
    ]
    assert err.value.exit_code == 2 and err.value.fields["cells"] == [f"设置!B{r}" for r in (b, days, unit)]


def test_health_weights_adding_up_to_zero_name_their_cells():
    labels = ["健康度权重-最近成交", "健康度权重-成交频次", "健康度权重-成交金额", "健康度权重-NPS"]
    grid = _grid_set(**dict.fromkeys(labels, 0))
    first, last = _row(grid, labels[0]), _row(grid, labels[-1])
    with pytest.raises(SettingsError) as err:
        read_settings(grid, "设置")
    assert str(err.value) == f"设置!B{first}:B{last}：健康度的四个权重（R/F/M/NPS）之和应大于 0，实际为 0"
    assert err.value.rule == "health weights (recency, frequency, monetary, NPS) must add up to more than 0"
    ok = read_settings(_grid_set(**dict.fromkeys(labels[:3], 0)), "设置")  # NPS alone still counts
    assert ok.w_nps == pytest.approx(0.3) and ok.w_recency == 0


def test_unknown_labels_are_notes_naming_their_cells():
    grid = settings_grid(Settings(), "zh-Hans")
    row = _row(grid, "A类跟进间隔(天)")
    grid[row - 1][0] = "A类跟进间隔"  # renamed: its value is not used
    grid[0][6] = "行业类别"  # a renamed list (G1) with items under it
    grid.append(["备注", None])  # text without a value sets nothing: not reported
    s = read_settings(grid, "设置")
    assert [n.cell for n in s.notes] == [f"设置!A{row}", "设置!G1"]
    assert s.notes[0].message("zh-Hans") == (f"“A类跟进间隔”不是已知的设置项，B{row} 的值未被使用"
                                             "（请改回原来的设置项名称）")
    assert s.notes[0].message("en").startswith('"A类跟进间隔" is not a known setting, so the value in B')
    assert "設定項" in s.notes[0].message("zh-Hant") and "清單" in s.notes[1].message("zh-Hant")
    assert s.industries == Settings().industries  # the renamed list is not read
    assert read_settings(settings_grid(Settings(), "en"), "Settings").notes == ()


def test_issues_per_rule_setting():
    assert Settings().issues_per_rule == 1000
    grid = settings_grid(Settings(issues_per_rule=50), "zh-Hant")
    assert any(r[0] == "問題清單每類最多行數" and r[1] == 50 for r in grid)
    assert read_settings(grid, "設定").issues_per_rule == 50
    with pytest.raises(SettingsError) as err:
        read_settings(_grid_set(**{"问题清单每类最多行数": 0}), "设置")
    assert err.value.rule == "rows per rule must be a whole number ≥ 1"
