"""Script conversion (traditional ↔ simplified): opencc-purepy, never OpenCC.

crm-xl converts with opencc-purepy alone: pure Python, so it runs where OpenCC has no wheel (Pyodide), and
one converter gives the same results everywhere (docs/performance.md#script-conversion: OpenCC saved 1–7 % of
a run's CPU). These tests hold it to OpenCC's results on every text crm-xl converts and to the library's own
configurations, and show that a run needs no OpenCC at all.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crm_xl.authoring import sample
from crm_xl.model import i18n
from crm_xl.model.i18n import LANGS, converter, fold, to_hant

ROOT = Path(__file__).resolve().parents[1]
HAN = re.compile(r"[\u3400-\u9fff]")
# OpenCC's s2tw (1.4) on texts crm-xl converts, where it is wrong and opencc-purepy is right: 签 (sign) is
# 簽 in Taiwan and Hong Kong (籤 is a lot or a label), 采购 is 採購 (OpenCC reads 没有采购 as 沒有采 + 購).
OPENCC_ERRATA = {"已籤": "已簽", "會籤": "會簽", "采購": "採購"}

# A child Python that records every text crm-xl hands to s2tw while it builds zh-Hant workbooks (the template,
# the sample with its buttons) and runs every job on the sample, with all its messages.
RECORD_S2TW = """
import json, sys
from pathlib import Path
from crm_xl.model import i18n
seen = set()
def converter(config, _real=i18n.converter):
    convert = _real(config)
    if config != "s2tw":
        return convert
    def recording(text):
        seen.add(text)
        return convert(text)
    return recording
i18n.converter = converter
import crm_xl
from crm_xl.authoring import template
tmp = Path(sys.argv[1])
template.build(tmp / "crm.xlsx", lang="zh-Hant")
book = template.build(tmp / "sample.xlsm", lang="zh-Hant", sample=True, macros=True)
for summary in crm_xl.run_all(book, today="2024-04-01", out=tmp / "run.xlsm"):
    json.dumps(summary.to_dict(), default=str)
json.dump(sorted(seen), sys.stdout, ensure_ascii=False)
"""


def python(code: str, *args: str, opencc: bool = True) -> str:
    """Run `code` in a new Python with this tree's crm_xl; with `opencc=False` OpenCC cannot be imported there
    (as where it has no wheel)."""
    block = "" if opencc else "import sys\nsys.modules['opencc'] = None  # import opencc → ImportError\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", block + textwrap.dedent(code), *args], capture_output=True,
                          text=True, timeout=300, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def literals(folder: Path) -> set[str]:
    """Every string constant with a Han character in the Python files under `folder` (headers, sheet names,
    lists, settings labels and message templates, in each language)."""
    out: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and HAN.search(node.value):
                out.add(node.value)
    return out


def sample_texts() -> set[str]:
    """Every text value of the sample workbook, in each language."""
    return {v for lang in LANGS for rows in sample.data(lang).values() for row in rows for v in row.values()
            if isinstance(v, str) and HAN.search(v)}


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """What crm-xl converts: t2s folds headers, sheet names, lists and values (the code's literals, the
    sample's values, the benchmark team workbook's vocabulary); s2tw derives zh-Hant messages and values
    (the code's literals and every text converted while a zh-Hant workbook is built and run)."""
    code = literals(ROOT / "crm_xl")
    t2s = code | sample_texts() | literals(ROOT / "benchmarks")
    s2tw = code | set(json.loads(python(RECORD_S2TW, str(tmp_path_factory.mktemp("hant")))))
    return {"t2s": sorted({i18n._prepare(t) for t in t2s} | t2s), "s2tw": sorted(s2tw)}


def test_the_texts_are_all_there(texts: dict[str, list[str]]) -> None:
    assert len(texts["t2s"]) > 2000 and len(texts["s2tw"]) > 1500
    assert {"客戶名稱", "客户名称", "跟進計劃表"} <= set(texts["t2s"])
    assert "合同已签，实施中" in texts["s2tw"]  # a sample value
    assert any(t.startswith("今日待办") for t in texts["s2tw"])  # a message with its values in it


def test_every_conversion_is_opencc_s_but_for_its_errata(texts: dict[str, list[str]]) -> None:
    opencc = pytest.importorskip("opencc")
    if not hasattr(opencc, "opencc_clib"):
        pytest.skip("the opencc module installed is not OpenCC")
    used = set()
    for config, errata in (("t2s", {}), ("s2tw", OPENCC_ERRATA)):
        reference = opencc.OpenCC(config).convert
        ours = converter(config)
        for text in texts[config]:
            want = reference(text)
            for wrong, right in errata.items():
                if wrong in want:
                    used.add(wrong)
                    want = want.replace(wrong, right)
            assert ours(text) == want, (config, text)
    assert used == set(OPENCC_ERRATA)  # (an erratum OpenCC no longer needs goes)


def test_conversions_are_the_library_s_own_configurations(texts: dict[str, list[str]]) -> None:
    """crm-xl loads only the dictionaries of t2s and s2tw: the same results as opencc-purepy's configurations,
    on every text crm-xl converts and on every Han character one by one."""
    from opencc_purepy import OpenCC

    blocks = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2EBF0), (0x30000, 0x3134B)]
    every_character = "\n".join(chr(c) for a, b in blocks for c in range(a, b))
    for config in ("t2s", "s2tw"):
        stock, ours = getattr(OpenCC(config), config), converter(config)
        for text in [*texts[config], every_character]:
            assert ours(text) == stock(text), (config, text[:40])


def test_signing_and_purchasing_read_as_in_taiwan() -> None:
    assert to_hant("合同已签，实施中") == "合同已簽，實施中"
    assert to_hant("跟进会签进度") == "跟進會簽進度"
    assert to_hant("暂时没有采购计划") == "暫時沒有採購計劃"
    assert to_hant("标签") == "標籤"
    assert fold("合同已簽") == fold("合同已签") == "合同已签"


def test_folding_a_million_characters_starts_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """opencc-purepy converts a text of a million characters or more with a pool of processes; a max-sized
    workbook's customer names, folded at once, come to that (`fold_many` converts them in batches)."""
    import opencc_purepy.core

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("opencc-purepy started a process pool")

    monkeypatch.setattr(opencc_purepy.core, "Pool", no_pool)
    names = [f"客戶{i:06d}號有限公司" for i in range(90_000)]  # 1.17 million characters
    folded = i18n.fold_many(names)
    assert folded[:2] == ["客户000000号有限公司", "客户000001号有限公司"] and len(folded) == len(names)
    assert folded[-1] == fold(names[-1])


# A child Python that folds every header, sheet name and list item crm-xl knows, converts every message, and
# runs every job on the zh-Hans sample (a copy of the committed one) and on a zh-Hant sample it builds,
# then prints what it found and every cell of the workbooks written, and whether OpenCC was ever loaded.
RUN = """
import json, shutil, sys
from pathlib import Path
import python_calamine
import crm_xl
from crm_xl.authoring import template
from crm_xl.model import schema
from crm_xl.model.i18n import LANGS, fold, to_hant
from crm_xl.core.validation.rules import RULES
tmp = Path(sys.argv[1])
out = {"headers": {}, "sheets": {}}
for sheet in schema.DATA_SHEETS:
    for lang in LANGS:
        out["sheets"][sheet.name(lang)] = [s.key for s in schema.DATA_SHEETS if s.matches_name(sheet.name(lang))]
    for c in sheet.columns:
        for header in c.headers():
            out["headers"][f"{sheet.key} {header}"] = [fold(header), sheet.match_header(header).key]
out["messages"] = [r.template(lang) for r in RULES.values() for lang in LANGS]
books = {"zh-Hans": tmp / "hans.xlsx", "zh-Hant": tmp / "hant.xlsx"}
shutil.copyfile(sys.argv[2], books["zh-Hans"])
template.build(books["zh-Hant"], lang="zh-Hant", sample=True)
for lang, path in books.items():
    done = path.with_name("run-" + path.name)
    out[lang] = [s.to_dict() for s in crm_xl.run_all(path, today="2024-04-01", out=done)]
    wb = python_calamine.CalamineWorkbook.from_path(str(done))
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        out[f"{lang} {name}"] = [[str(v) for v in row] for row in rows]
out["opencc loaded"] = "opencc" in sys.modules and sys.modules["opencc"] is not None
json.dump(out, sys.stdout, ensure_ascii=False, default=str)
"""


def test_runs_without_opencc_and_writes_the_same_cells(tmp_path: Path) -> None:
    sample_book = str(ROOT / "workbook" / "sample.xlsx")
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    without = json.loads(python(RUN, str(tmp_path / "without"), sample_book, opencc=False))
    normal = json.loads(python(RUN, str(tmp_path / "with"), sample_book))
    assert not without["opencc loaded"] and not normal["opencc loaded"]
    hant_cells = {k: v for k, v in without.items() if k.startswith("zh-Hant ")}
    assert len(hant_cells) >= 8 and any("簽" in c for rows in hant_cells.values() for r in rows for c in r)
    assert without["headers"]["customers 客戶名稱"] == ["客户名称", "customer"]
    assert without["sheets"]["跟進計劃表"] == ["followups"]
    assert without == normal
