"""Script conversion (crm_xl/model/i18n.py): opencc-purepy as crm-xl loads it, against opencc-purepy with its
whole dictionary bundle and against OpenCC (`pip install opencc`), on crm-xl's own conversions.

    python benchmarks/bench_script.py --rounds 5      # team.xlsx (generated when missing) and the samples
    python benchmarks/bench_script.py --skip conversions --only team --rounds 10

(1) The conversions alone: every text a run hands the converter (each t2s and s2tw call as it comes,
recorded once in-process) on the zh-Hans sample, the zh-Hant sample and the team workbook, first run and
next day; then for each engine, in a fresh process per round: loading its dictionaries and replaying the
calls. (2) Whole runs: `crm-xl run FILE` on a fresh copy with each engine, interleaved; wall time around the
process, CPU (user + system, all threads) and peak RSS (os.wait4). Medians of the rounds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from session import popen

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
sys.path.insert(0, str(ROOT.parent))

# Code run before crm-xl starts: each engine put in place of i18n.converter (imported when first asked for,
# as crm-xl imports opencc-purepy).
ENGINES = {
    "opencc-purepy": "from crm_xl.model import i18n\n",
    "purepy bundle": """
import functools
from crm_xl.model import i18n
i18n.converter = functools.lru_cache(maxsize=2)(
    lambda config: getattr(__import__("opencc_purepy").OpenCC(config), config))
""",
    "OpenCC": """
import functools
from crm_xl.model import i18n
i18n.converter = functools.lru_cache(maxsize=2)(lambda config: __import__("opencc").OpenCC(config).convert)
""",
}
CLI = "import sys; sys.argv[0] = 'crm-xl'\nfrom crm_xl.shells.entry import main\nmain()\n"
RECORD = """
import json, sys
import crm_xl
from crm_xl.model import i18n
calls = []
def converter(config, _real=i18n.converter):
    convert = _real(config)
    def recording(text):
        calls.append((config, text))
        return convert(text)
    return recording
i18n.converter = converter
list(crm_xl.run_all(sys.argv[1], today=sys.argv[2]))
json.dump(calls, sys.stdout, ensure_ascii=False)
"""
REPLAY = """
import json, sys, time
calls = json.load(open(sys.argv[1], encoding="utf-8"))
t0 = time.perf_counter()
from crm_xl.model import i18n
convert = {config: i18n.converter(config) for config in sorted({c for c, _ in calls})}
t1 = time.perf_counter()
for config, text in calls:
    convert[config](text)
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "convert": t2 - t1}))
"""


def child(code: str, *args: str) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, stdout) of `python -c CODE ARGS…` in its own process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = popen([sys.executable, "-c", code, *args], stdout=out, stderr=err, cwd=ROOT.parent)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: the run found errors in the workbook
            raise RuntimeError(err.read().decode(errors="replace")[-3000:])
        return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode()


def workbooks(tmp: Path) -> dict[str, Path]:
    from crm_xl.authoring import template

    team = DATA / "team.xlsx"
    if not team.exists():
        subprocess.run([sys.executable, str(ROOT / "generate.py"), "--size", "team"], check=True)
    return {"sample zh-Hans": template.build(tmp / "sample-hans.xlsx", lang="zh-Hans", sample=True),
            "sample zh-Hant": template.build(tmp / "sample-hant.xlsx", lang="zh-Hant", sample=True),
            "team": team}


def conversions(books: dict[str, Path], tmp: Path, rounds: int, today: str) -> None:
    print("(1) the conversions alone: seconds to load + to convert (medians)")
    print(f"{'workbook':28s}{'calls':>7s}{'chars':>9s}" + "".join(f"{e:>18s}" for e in ENGINES))
    for name, src in books.items():
        copy = tmp / f"rec-{src.name}"
        shutil.copyfile(src, copy)
        next_day = (dt.date.fromisoformat(today) + dt.timedelta(days=1)).isoformat()
        for day, when in (("first run", today), ("next day", next_day)):
            calls_file = tmp / "calls.json"
            calls_file.write_text(child(RECORD, str(copy), when)[3], encoding="utf-8")
            calls = json.loads(calls_file.read_text(encoding="utf-8"))
            cells = []
            for patch in ENGINES.values():
                got = [json.loads(child(patch + REPLAY, str(calls_file))[3]) for _ in range(rounds)]
                load, convert = median(g["load"] for g in got), median(g["convert"] for g in got)
                cells.append(f"{load:.3f} + {convert:.3f}")
            print(f"{name + ', ' + day:28s}{len(calls):7d}{sum(len(t) for _, t in calls):9d}"
                  + "".join(f"{c:>18s}" for c in cells))


def runs(books: dict[str, Path], tmp: Path, rounds: int, today: str) -> None:
    print("(2) whole runs, `crm-xl run FILE`: wall s, CPU s, peak MB (medians of interleaved rounds)")
    print(f"{'workbook':16s}" + "".join(f"{e:>22s}" for e in ENGINES))
    for name, src in books.items():
        got: dict[str, list[tuple[float, float, float]]] = {e: [] for e in ENGINES}
        for _ in range(rounds):
            for engine, patch in ENGINES.items():
                copy = tmp / f"run-{src.name}"
                shutil.copyfile(src, copy)
                got[engine].append(child(patch + CLI, "run", str(copy), "--today", today, "--json")[:3])
        print(f"{name:16s}" + "".join(
            f"{median(x[0] for x in v):10.2f}{median(x[1] for x in v):6.2f}{median(x[2] for x in v):6.0f}"
            for v in got.values()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--today", default="2024-04-01")
    ap.add_argument("--skip", nargs="*", default=[], choices=["conversions", "runs"])
    ap.add_argument("--only", nargs="*", choices=["sample zh-Hans", "sample zh-Hant", "team"], help="workbooks")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        books = {k: v for k, v in workbooks(tmp).items() if not args.only or k in args.only}
        if "conversions" not in args.skip:
            conversions(books, tmp, args.rounds, args.today)
        if "runs" not in args.skip:
            runs(books, tmp, args.rounds, args.today)


if __name__ == "__main__":
    main()
