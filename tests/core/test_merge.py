"""The merge's rules on in-memory frames: where re-merged rows go, 撞单 (two source files, one customer) across
scripts and contacts, who keeps it, the clash rule on the Issues sheet and the items on the manager's Today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crm_xl.core.followups.job import flag_stale
from crm_xl.core.merge.clash import clashes
from crm_xl.core.merge.plan import placement
from crm_xl.core.validation.job import validate
from tests.conftest import make_ctx


def test_placement_reuses_the_rows_of_the_sources_merged_only() -> None:
    rows, sources = [3, 4, 5, 6, 7], ["a.xlsx", None, "b.xlsx", "a.xlsx", ""]
    at = placement(rows, sources, [("a.xlsx", 3)])  # a's two rows refilled, one more below
    assert (at.slots, at.clear, at.appended, at.order) == ([3, 6], [], 1, [0, 1, 2])
    at = placement(rows, sources, [("a.xlsx", 1), ("b.xlsx", 0)])  # fewer records: the rest emptied, typed kept
    assert (at.slots, at.clear, at.appended) == ([3], [5, 6], 0)


def test_placement_keeps_each_files_rows_its_own() -> None:
    rows, sources = [3, 4, 5, 6], ["a.xlsx", "b.xlsx", "a.xlsx", "b.xlsx"]
    at = placement(rows, sources, [("a.xlsx", 2), ("b.xlsx", 2)])  # interleaved: each into its own rows
    assert (at.slots, at.order) == ([3, 5, 4, 6], [0, 1, 2, 3])
    at = placement(rows, sources, [("b.xlsx", 2), ("a.xlsx", 2)])  # whatever the order of the files
    assert (at.slots, at.order) == ([4, 6, 3, 5], [0, 1, 2, 3])


def _customer(name: str, source: str | None, owner: str, first: str, phone: str = "", **more: Any) -> dict[str, Any]:
    return {"customer": name, "contact": "x", "phone": phone or None, "owner": owner,
            "first_contact": dt.datetime.fromisoformat(first), "source_file": source, **more}


def _data(**settings: Any) -> dict[str, Any]:
    return {
        "customers": [
            _customer("东方电子有限公司", "wang.xlsx", "小王", "2024-03-01"),
            _customer("東方電子", "li.xlsx", "小李", "2024-02-20"),  # traditional, no suffix: the same customer
            _customer("南山物流", "wang.xlsx", "小王", "2024-03-02", "13800138000"),
            _customer("北岭贸易", "li.xlsx", "小李", "2024-03-05", "138 0013 8000"),  # same phone
            _customer("西城医药", "wang.xlsx", "小王", "2024-03-03"),
            _customer("西城医药", "wang.xlsx", "小王", "2024-03-04"),  # one source twice: a duplicate, no clash
            _customer("中原书店", None, "小张", "2024-03-01"),
            _customer("中原书店", "li.xlsx", "小李", "2024-03-02"),  # typed into the team book: no clash
        ],
        "followups": [
            {"customer": "东方电子有限公司", "date": dt.datetime(2024, 3, 10), "method": "电话", "content": "a",
             "owner": "小王", "source_file": "wang.xlsx"},
            {"customer": "東方電子", "date": dt.datetime(2024, 3, 12), "method": "电话", "content": "b",
             "owner": "小李", "source_file": "li.xlsx"},
            {"customer": "东方电子", "date": dt.datetime(2024, 3, 14), "method": "电话", "content": "c",
             "owner": "小王", "source_file": "other.xlsx"},  # another source's follow-up is not 小李's
        ],
    }


def test_clashes_across_scripts_and_contacts_with_both_sides() -> None:
    ctx = make_ctx(_data())
    found = clashes(ctx.frames, ctx.settings).to_dict("records")
    assert [(c["row_a"], c["row_b"], c["what"]) for c in found] == [(2, 3, ("name",)), (4, 5, ("phone",))]
    east = found[0]
    assert (east["owner_a"], east["owner_b"]) == ("小王", "小李")
    assert (east["first_a"], east["first_b"]) == (dt.date(2024, 3, 1), dt.date(2024, 2, 20))
    assert (east["last_a"], east["last_b"]) == (dt.date(2024, 3, 10), dt.date(2024, 3, 12))
    assert east["keeper"] == "b"  # the earlier contact keeps it (default)


def test_the_clash_rule_setting() -> None:
    data = _data()
    data["conversions"] = [{"customer": "东方电子", "date": dt.datetime(2024, 3, 11), "amount": 1000, "owner": "小王",
                            "source_file": "wang.xlsx"}]
    ctx = make_ctx(data, settings={"clash_rule": "signing"})
    found = clashes(ctx.frames, ctx.settings).to_dict("records")
    assert found[0]["signed_a"] == dt.date(2024, 3, 11) and found[0]["keeper"] == "a"  # 小王 signed first
    assert found[1]["keeper"] == "a"  # nobody signed: the earlier contact
    ctx = make_ctx(data, settings={"clash_rule": "manager"})
    assert [c["keeper"] for c in clashes(ctx.frames, ctx.settings).to_dict("records")] == [None, None]


def test_validation_reports_clashes_not_duplicates_across_sources() -> None:
    result = validate(make_ctx(_data()))
    checks = result.columns["customers"]["check"]
    assert "撞单" in checks[3] and "重复" not in checks[3] and "小王（wang.xlsx）首次接触 2024-03-01，最近跟进 2024-03-10" in checks[3]
    assert "小李（li.xlsx）首次接触 2024-02-20，最近跟进 2024-03-12" in checks[3] and "按先接触归 小李" in checks[3]
    assert "撞单（同一电话）" in checks[5]
    assert "重复" in checks[7] and "撞单" not in checks[7]  # one source twice: still a duplicate
    assert "重复" in checks[9] and "撞单" not in checks[9]  # typed row first: a duplicate
    assert result.summary.counts["by_rule"]["clash"] == 2


def test_clashes_go_on_the_managers_today() -> None:
    def blocks(settings: dict[str, Any] | None = None) -> list[str]:
        sheet = flag_stale(make_ctx(_data(), today="2024-03-15", settings=settings)).sheets[0]
        return [b.text for b in sheet.blocks if getattr(b, "style", None) == "title"]

    assert "主管：2 项（撞单 2）" in blocks()
    assert any(t.startswith("老陈：") and "撞单 2" in t for t in blocks({"clash_manager": "老陈"}))
    data = _data()
    data["customers"][1]["manager"] = "周经理"  # 東方電子's 主管 (小李 keeps it): that clash goes to him
    sheet = flag_stale(make_ctx(data, today="2024-03-15", settings={"clash_manager": "老陈"})).sheets[0]
    titles = [b.text for b in sheet.blocks if getattr(b, "style", None) == "title"]
    assert any(t.startswith("周经理：1 项（撞单 1）") for t in titles)
    assert any(t.startswith("老陈：1 项（撞单 1）") for t in titles)


def test_english_words() -> None:
    result = validate(make_ctx(_data(), lang="en"))
    assert "clash (same name): 小王 (wang.xlsx) first contact 2024-03-01" in result.columns["customers"]["check"][3]


def test_clashes_on_a_wechat_id_or_phone_in_either_contact_cell() -> None:
    ctx = make_ctx({"customers": [
        _customer("甲", "a.xlsx", "小王", "2024-03-01", wechat="wxid_jia01"),
        _customer("乙", "b.xlsx", "小李", "2024-03-02", "微信：wxid_jia01"),  # the same WeChat ID, in 联系方式
        _customer("丙", "a.xlsx", "小王", "2024-03-03", wechat="13800001111"),  # a phone in the WeChat cell
        _customer("丁", "b.xlsx", "小李", "2024-03-04", "13800001111"),
        _customer("戊", "a.xlsx", "小王", "2024-03-05", "微信：wx_one_id", wechat="wx_two_id"),  # both: the WeChat
        _customer("己", "b.xlsx", "小李", "2024-03-06", wechat="wx_two_id"),  # cell's ID is the one compared
        _customer("庚", "b.xlsx", "小李", "2024-03-07", "微信：wx_one_id"),
    ]})
    found = clashes(ctx.frames, ctx.settings).to_dict("records")
    assert [(c["row_a"], c["row_b"], c["what"]) for c in found] == [(2, 3, ("wechat",)), (4, 5, ("phone",)),
                                                                   (6, 7, ("wechat",))]
