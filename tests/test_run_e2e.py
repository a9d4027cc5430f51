"""End to end: `crm-xl run` on a copy of workbook/sample.xlsx, read back with python-calamine (not crm-xl)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import WORKBOOK
from helpers import digest
from python_calamine import CalamineWorkbook

pytestmark = pytest.mark.skipif(not (WORKBOOK / "sample.xlsx").exists(),
                                reason="workbook/sample.xlsx is not built yet (template issue)")

SECTIONS = ("一、本月概览（与上月对比）", "二、线索来源", "三、成交周期（按成交时级别）", "四、跟进方式", "五、负责人",
            "六、流失原因", "七、级别调整", "八、流失风险（截至月末）", "九、月度趋势")


def crm_xl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crm_xl", *args], capture_output=True, text=True, timeout=600)


def test_run_on_the_sample_builds_the_march_review(sample_copy: Path, tmp_path: Path):
    before = digest(sample_copy)
    out = tmp_path / "out" / "sample.xlsx"
    out.parent.mkdir()
    done = crm_xl("run", str(sample_copy), "--today", "2024-04-01", "--out", str(out))
    assert done.returncode == 1, done.stderr  # saved; 1 because the sample has rows with errors, on purpose
    assert "review: 2024-03" in done.stdout
    assert digest(sample_copy) == before  # --out leaves the original alone

    wb = CalamineWorkbook.from_path(str(out))
    assert [n for n in wb.sheet_names if n.startswith("月度复盘")] == ["月度复盘 2024-03"]
    review = wb.get_sheet_by_name("月度复盘 2024-03").to_python()
    first = [row[0] for row in review if row]
    assert first[0] == "月度复盘 2024-03"
    for title in SECTIONS:
        assert title in first
    # the overview has this month's figures as numbers
    at = first.index(SECTIONS[0])
    assert review[at + 1][:5] == ["指标", "本月", "上月", "变化", "环比"]
    overview = {row[0]: row[1] for row in review[at + 2: at + 13]}
    assert isinstance(overview["新增客户"], float) and overview["新增客户"] > 0
    assert overview["成交单数"] > 0 and overview["成交金额（万元）"] > 0

    history = wb.get_sheet_by_name("复盘历史").to_python()
    assert history[0][0] == "月份"
    assert [row[0] for row in history[1:] if str(row[0]).startswith("20")] == ["2024-03"]

    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart") and n.endswith(".xml")]
        kinds = " ".join(z.read(n).decode("utf-8") for n in charts)
    assert len(charts) >= 4
    for kind in ("barChart", "pieChart", "lineChart"):  # sources / methods, lost reasons, amount trend
        assert kind in kinds


def test_run_twice_in_place_keeps_one_review_and_one_history_row(sample_copy: Path):
    for _ in range(2):
        done = crm_xl("run", str(sample_copy), "--today", "2024-04-01")
        assert done.returncode == 1, done.stderr  # the sample's deliberate errors
    wb = CalamineWorkbook.from_path(str(sample_copy))
    assert [n for n in wb.sheet_names if n.startswith("月度复盘")] == ["月度复盘 2024-03"]
    history = wb.get_sheet_by_name("复盘历史").to_python()
    assert [row[0] for row in history[1:] if str(row[0]).startswith("20")] == ["2024-03"]


def test_the_command_ends_fast_but_flushes_its_output_and_keeps_exit_codes(sample_copy: Path, tmp_path: Path):
    import json

    done = crm_xl("run", str(sample_copy), "--today", "2024-04-01", "--json")
    summaries = json.loads(done.stdout)
    assert [s["job"] for s in summaries] == ["validate", "tiers", "stale", "health", "review"]
    assert done.returncode == (1 if summaries[0]["errors"] else 0), done.stderr
    checked = crm_xl("validate", str(sample_copy), "--today", "2024-04-01", "--json")
    assert checked.returncode == (1 if json.loads(checked.stdout)["errors"] else 0)
    missing = crm_xl("validate", str(tmp_path / "nope.xlsx"))
    assert missing.returncode == 2 and missing.stderr.startswith("Error: ")
