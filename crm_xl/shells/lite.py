"""What the xlwings Lite scripts run: the workbook's `main.py` defines one `@script` per button, each
calling `run(book, job)` with the `book: xw.Book` the add-in hands it.

`run` does what the desktop buttons do (crm_xl/shells/xl.py) the way Lite can. Every job's changes are
computed and recorded first; only then are they queued for Excel (book/lite.py), which applies them when the
script returns, and the user saves. Lite has no status bar and no message box a script could rely on: the
outcome is printed — one line per job, its button's caption and headline, in the workbook's language — and
`print` goes to the add-in's output pane (a script with `show_taskpane=True` opens the pane when its sheet
button is clicked). A failure is printed the same way, saying that nothing in the workbook was changed, and
then raised: Lite shows the error, and a script that raises hands Excel none of its queued writes — which
is what makes "nothing was changed" true even when the failure comes while the writes are being queued.
Never catch it in main.py.

Nothing here imports xlwings' desktop parts, the file engine, the template or the CLI, and nothing starts a
thread (Pyodide has none).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..book.lite import LiteBook
from ..jobs import RUN_ORDER, require_customers, run_job
from ..model.buttons import LABELS, RUN, job_label, report
from ..model.errors import CrmXlError, UsageError
from ..model.i18n import Lang, pick

JOBS = (*RUN_ORDER, RUN)


def failure(message: str, lang: Lang) -> str:
    return message + pick(lang, "\n工作簿没有任何改动。", "\nNothing in the workbook was changed.")


def run(book: Any, job: str = RUN, *, today: dt.date | str | None = None, month: str | None = None) -> str:
    """Run `job` (one of JOBS: a job of crm_xl.jobs, or "run" for all of them) on the workbook a Lite script
    was handed; its changes reach Excel when the script returns. Prints and returns the report; prints and
    raises what stopped the run (nothing is written then). `today` and `month` as on the command line
    (default: the Settings sheet's fixed today, else the computer's date; the month before today)."""
    if job not in JOBS:
        raise UsageError(f"unknown job {job!r}: one of {', '.join(JOBS)}")
    jobs = RUN_ORDER if job == RUN else (job,)
    lite = LiteBook(book)
    lang: Lang = "en"
    try:
        lang = lite.lang
        require_customers(lite, jobs)  # a missing Customers sheet: stop before any job runs
        summaries = [run_job(lite, name, today=today, month=month) for name in jobs]
        lite.save()  # every change checked and converted, then queued
    except CrmXlError as exc:
        print(failure(exc.message, lang))
        raise
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"
        print(failure(pick(lang, f"crm-xl 意外停止：{detail}", f"crm-xl stopped unexpectedly: {detail}"), lang))
        raise
    text = report(summaries, lang)
    print(text)
    return text


__all__ = ["JOBS", "LABELS", "RUN", "failure", "job_label", "report", "run"]
