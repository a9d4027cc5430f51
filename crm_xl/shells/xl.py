"""What the workbook's buttons run (VBA `RunPython "import crm_xl.xl as x; x.<job>()"`), and a few
worksheet functions (UDFs, Windows).

Each entry point takes the workbook whose button was clicked, runs the same jobs as the CLI on it
(every job's changes are computed and recorded first; Excel is written only once all of them succeeded),
leaves it unsaved (the user saves, or closes without saving to discard it); a write that fails half way
is undone at once, so the workbook is as it was before the click. It reports in Excel: the
headline in the status bar and a message box; any problem as a message box in the workbook language —
never a Python traceback (that goes to a log file named in the message).
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlwings as xw

from ..book.excel import ExcelBook
from ..jobs import RUN_ORDER, require_customers, run_job
from ..model.buttons import job_label, report
from ..model.errors import CrmXlError
from ..model.i18n import Lang, pick
from ..model.parse import parse_amount, parse_budget
from ..model.result import Summary

TITLE = "crm-xl"
LOG = Path(tempfile.gettempdir()) / "crm-xl-error.log"
def _alert(app: Any, text: str, critical: bool) -> None:
    try:
        app.alert(text, title=TITLE, mode="critical" if critical else "info")
    except Exception:  # noqa: BLE001 — nothing more can be shown
        pass


def _log(exc: BaseException) -> Path | None:
    try:
        LOG.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        return LOG
    except OSError:
        return None


def run_buttons(jobs: Sequence[str], book: ExcelBook | None = None) -> list[Summary] | None:
    """Run `jobs` on the calling workbook (or `book`) and show the outcome in Excel. Returns the
    summaries, or None when something stopped the run (after telling the user)."""
    try:
        book = book or ExcelBook.caller()
    except Exception as exc:  # noqa: BLE001 — no workbook: tell whatever Excel is there
        where = _log(exc)
        try:
            app: Any = xw.apps.active
        except Exception:  # noqa: BLE001
            return None
        _alert(app, f"crm-xl could not find the workbook that called it ({exc}). Log: {where}", True)
        return None
    app = book.app
    lang: Lang = "en"
    try:
        with book.quiet():
            lang = book.lang
            require_customers(book, tuple(jobs))  # a missing Customers sheet: stop before any job runs
            summaries = []
            for job in jobs:
                app.status_bar = f"crm-xl: {job_label(job, lang)} …"
                summaries.append(run_job(book, job))
            book.save()
    except CrmXlError as exc:
        app.status_bar = False
        _alert(app, _failure(exc.message, lang, _changed(book)), True)
        return None
    except Exception as exc:  # noqa: BLE001 — shown as a message, details in the log
        app.status_bar = False
        where = _log(exc)
        detail = f"{type(exc).__name__}: {exc}"
        text = pick(lang, f"crm-xl 意外停止：{detail}\n详细信息：{where}",
                    f"crm-xl stopped unexpectedly: {detail}\nDetails: {where}")
        _alert(app, _failure(text, lang, _changed(book)), True)
        return None
    app.status_bar = " | ".join(s.headline for s in summaries)
    text = report(summaries, lang)
    if book.leftovers:
        names = ", ".join(book.leftovers)
        text += pick(lang, f"\n\n未能删除被替换的旧工作表（已改名为“~crm-xl …”）：{names}",
                     f"\n\nThe replaced sheets could not be deleted (renamed \"~crm-xl …\"): {names}")
    _alert(app, text, False)
    return summaries


def _changed(book: ExcelBook) -> bool:
    """Did the failed run leave changes in the workbook (writing started and the undo was not complete)?"""
    return book.writing_started and not book.rolled_back


def _failure(message: str, lang: Lang, written: bool) -> str:
    if not written:
        return message + pick(lang, "\n\n工作簿没有任何改动。", "\n\nNothing in the workbook was changed.")
    return message + pick(
        lang,
        "\n\n写入中途停止，部分内容可能已改动：不保存并关闭工作簿即可回到上次保存的版本。",
        "\n\nWriting stopped part-way and some cells may have changed: close the workbook without saving "
        "to go back to the last saved version.",
    )


def validate_rows() -> None:
    """Button 校验数据 / Validate rows."""
    run_buttons(("validate",))


def recompute_tiers() -> None:
    """Button 重算级别 / Recompute tiers."""
    run_buttons(("tiers",))


def flag_stale() -> None:
    """Button 跟进提醒 / Flag stale follow-ups."""
    run_buttons(("stale",))


def assess_health() -> None:
    """Button 客户健康度 / Customer health."""
    run_buttons(("health",))


def build_review() -> None:
    """Button 生成月度复盘 / Build monthly review."""
    run_buttons(("review",))


def run_all() -> None:
    """Button 一键全部运行 / Run all."""
    run_buttons(RUN_ORDER)


# --- worksheet functions (Windows: import them once with the xlwings ImportPythonUDFs macro) ---------


def _blank_if_none(value: float | None) -> float | str:
    return "" if value is None else value


@xw.func
def CRM_BUDGET_LOW(text: Any) -> float | str:  # noqa: N802 — Excel function names are upper case
    """Low end of a budget in yuan: "50-80万" → 500000; "" when the cell is not a budget."""
    budget = parse_budget(text)
    return _blank_if_none(budget[0] if budget else None)


@xw.func
def CRM_BUDGET_HIGH(text: Any) -> float | str:  # noqa: N802
    """High end of a budget in yuan: "50-80万" → 800000; "" when the cell is not a budget."""
    budget = parse_budget(text)
    return _blank_if_none(budget[1] if budget else None)


@xw.func
def CRM_AMOUNT(text: Any) -> float | str:  # noqa: N802
    """An amount in yuan: "65万", "6.5w", "¥650,000" → 650000; "" when the cell is not an amount."""
    return _blank_if_none(parse_amount(text))


__all__ = ["validate_rows", "recompute_tiers", "flag_stale", "assess_health", "build_review", "run_all",
           "run_buttons", "report", "CRM_BUDGET_LOW", "CRM_BUDGET_HIGH", "CRM_AMOUNT"]
