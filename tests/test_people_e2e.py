"""End to end, issue 23 §3–5: `crm-xl new --sample` (three languages) has the service-record columns with
rows that exercise each rule; `crm-xl run` on it, read back with python-calamine (not crm-xl), shows the
warnings, the thank-you on Today, the 沟通偏好 column, the referral tables and the managers' A accounts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from python_calamine import CalamineWorkbook

WORDS: dict[str, dict[str, Any]] = {
    "zh-Hans": {"issues": "问题清单", "today": "今日待办", "review": "月度复盘 2024-03", "customers": "客户信息表",
                "thanks": "感谢推荐（1）", "pref": "沟通偏好", "owner": "小王：", "referrals": "十四、转介绍",
                "by": "推荐人明细", "managed": "主管 A 类客户", "referrer": "东方电子集团", "in_typed": "東方電子集團",
                "signed": "中科信息技术股份有限公司 已于 2024-03-05 签约", "phone": "电话", "more": "等 19 个",
                "headers": ("推荐人", "主管", "服务团队", "沟通偏好")},
    "zh-Hant": {"issues": "問題清單", "today": "今日待辦", "review": "月度復盤 2024-03", "customers": "客戶信息表",
                "thanks": "感謝推薦（1）", "pref": "溝通偏好", "owner": "小王：", "referrals": "十四、轉介紹",
                "by": "推薦人明細", "managed": "主管 A 類客戶", "referrer": "東方電子集團", "in_typed": "東方電子集團",
                "signed": "中科信息技術股份有限公司 已於 2024-03-05 簽約", "phone": "電話", "more": "等 19 個",
                "headers": ("推薦人", "主管", "服務團隊", "溝通偏好")},
    "en": {"issues": "Issues", "today": "Today", "review": "Review 2024-03", "customers": "Customers",
           "thanks": "Thank referrers (1)", "pref": "Contact preference", "owner": "小王:", "referrals": "14. Referrals",
           "by": "By referrer", "managed": "A accounts managed", "referrer": "东方电子集团", "in_typed": "東方電子集團",
           "signed": "中科信息技术股份有限公司 signed on 2024-03-05", "phone": "Phone", "more": "… (19)",
           "headers": ("Referred by", "Manager", "Service team", "Contact preference")},
}


def crm_xl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m crm_xl …` importing this repository's crm_xl (whatever the installed one)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    return subprocess.run([sys.executable, "-m", "crm_xl", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd, env=env)


def sheet(wb: CalamineWorkbook, name: str) -> list[list[Any]]:
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_the_sample_exercises_every_service_rule(tmp_path: Path, lang: str) -> None:
    w = WORDS[lang]
    book = tmp_path / "team.xlsx"
    made = crm_xl("new", str(book), "--sample", "--lang", lang, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    done = crm_xl("run", str(book), "--today", "2024-04-01", "--json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # the sample's errors, on purpose
    summary = {s["job"]: s for s in json.loads(done.stdout)}
    assert summary["stale"]["counts"]["referral_thanks"] == 1
    wb = CalamineWorkbook.from_path(str(book))

    # the columns, filled in: a referrer typed in traditional script, a manager, a team, a preference
    customers = sheet(wb, w["customers"])
    col = {h: j for j, h in enumerate(customers[1])}  # (row 1 is the sheet's title)
    referrer, manager, team, pref = (col[h] for h in w["headers"])
    rows = customers[2:]
    assert w["signed"].split(" ")[0] in [r[0] for r in rows if r[referrer] == w["in_typed"]]
    assert sum(1 for r in rows if r[manager]) == 23 and sum(1 for r in rows if r[team]) == 3
    assert sum(1 for r in rows if r[pref]) == 4

    # validation: each rule once
    rules = [r[5] for r in sheet(wb, w["issues"]) if len(r) > 5]
    for code in ("unknown_referrer", "a_without_manager", "preference_mismatch"):
        assert rules.count(code) == 1, code
    assert "self_referral" not in rules and summary["validate"]["warnings"] == 27

    # Today: the thank-you in 小王's block, on the referrer's row, with the 沟通偏好 column
    today = sheet(wb, w["today"])
    first = [r[0] for r in today]
    at = first.index(w["thanks"])
    headings = [str(x) for x in first[:at] if str(x).split("：")[0].split(":")[0] in ("小王", "小李", "小张", "小陈")]
    assert headings[-1].startswith(w["owner"])  # the referrer's owner, not the referred customer's (小陈)
    head, item = today[at + 1], today[at + 2]
    assert head[-1] == w["pref"]
    assert item[0] == w["referrer"] and w["signed"] in item[2] and item[3] == 26 and item[-1] == w["phone"]

    # the review: the referral tables and the managers' A accounts
    review = sheet(wb, w["review"])
    first = [r[0] for r in review]
    at = first.index(w["referrals"])
    assert [r[1:3] for r in review[at + 2:at + 4]] == [[8, 3], [54, 16]]
    at = first.index(w["by"])
    assert review[at + 2][:3] == [w["referrer"], 3, 2]
    owners = next(i for i, r in enumerate(review) if w["managed"] in r)
    counts = {r[0]: r[review[owners].index(w["managed"])] for r in review[owners + 1:owners + 7]}
    assert counts["周经理" if lang != "zh-Hant" else "周經理"] == 19
    notes = [str(r[0]) for r in review[owners + 7:owners + 14]]
    assert any(w["more"] in n for n in notes)
