"""The jobs: read through a Book → pure core function → write through the Book → Summary.

Each public function takes a path (opened, changed and saved atomically: in place, or to `out`) or an
open Book (changed, not saved: the caller saves — that is how `run_all` and the buttons do one save).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from .book.port import Book
from .core.context import Context
from .model.errors import SchemaError, UsageError
from .model.i18n import LANGS, pick
from .model.parse import is_blank
from .model.result import JobResult, Summary
from .model.schema import CUSTOMERS, HISTORY_SHEET, review_sheet_name
from .model.settings import tell_notes
from .runtime import trim, without_gc

Progress = Callable[[str, str], None]

# job name → (module, function) of its core
CORE: dict[str, tuple[str, str]] = {
    "validate": ("crm_xl.core.validation.job", "validate"),
    "tiers": ("crm_xl.core.tiers.job", "recompute"),
    "stale": ("crm_xl.core.followups.job", "flag_stale"),
    "health": ("crm_xl.core.health.job", "assess"),
    "review": ("crm_xl.core.review.job", "build"),
}
RUN_ORDER = ("validate", "tiers", "stale", "health", "review")
# the jobs that cannot work without the Customers sheet: all of them — validation checks the other sheets
# against it, tiers / stale / health write on it, and a review without it would show no new customers
NEEDS_CUSTOMERS = frozenset(CORE)


def core_function(job: str) -> Callable[[Context], JobResult]:
    module, name = CORE[job]
    return getattr(importlib.import_module(module), name)


def resolve_today(book: Book, today: dt.date | str | None) -> dt.date:
    """`today` as given, else the Settings sheet's fixed today, else the computer's date."""
    if isinstance(today, str):
        try:
            return dt.date.fromisoformat(today)
        except ValueError as exc:
            raise UsageError(f"--today must be a date like 2024-03-15, got {today!r}") from exc
    if today is not None:
        return today
    return book.settings().today or dt.date.today()


def check_month(month: str | None) -> str | None:
    if month is None:
        return None
    try:
        dt.datetime.strptime(month, "%Y-%m")
    except ValueError as exc:
        raise UsageError(f"--month must be YYYY-MM (e.g. 2024-03), got {month!r}") from exc
    return month


def make_context(book: Book, today: dt.date | str | None = None, month: str | None = None,
                 with_history: bool = True) -> Context:
    """The core's input, with the Book's RunCache (the jobs of a run share what they parse); the review
    history is read only when asked (only the review uses it)."""
    frames = book.frames()
    day, month = resolve_today(book, today), check_month(month)
    return Context(frames, book.settings(), day, book.lang, month, read_history(book) if with_history else None,
                   read_review_sheet(book, day, month) if with_history else None, cache=book.cache)


def read_history(book: Book) -> pd.DataFrame | None:
    """The review history sheet as a DataFrame (first row = headers), or None."""
    sheet = HISTORY_SHEET.find(book.sheet_names())
    if sheet is None:
        return None
    grid = [r for r in book.grid(sheet) if any(not is_blank(v) for v in r)]
    if not grid:
        return None
    width = max(len(r) for r in grid)
    head = [str(h) if h is not None else f"col{i}" for i, h in enumerate(grid[0] + [None] * (width - len(grid[0])))]
    body = [r + [None] * (width - len(r)) for r in grid[1:]]
    return pd.DataFrame(body, columns=head, dtype=object)


def read_review_sheet(book: Book, today: dt.date, month: str | None) -> list[list[Any]] | None:
    """The cells of the review sheet of the month under review (any language), or None: the review keeps
    what the team typed in it."""
    from .core.review.figures import Month

    label = month or Month.before(today).label
    names = {review_sheet_name(lang, label) for lang in LANGS}
    sheet = next((n for n in book.sheet_names() if n in names), None)
    return book.grid(sheet) if sheet is not None else None


def require_customers(book: Book, jobs: tuple[str, ...]) -> None:
    """SchemaError (exit 2; raised before any job runs, so nothing is written) when one of `jobs` needs the
    Customers sheet and the workbook has none: says which names were looked for, in the three languages,
    and which sheets the workbook has, in the workbook's language."""
    if not NEEDS_CUSTOMERS.intersection(jobs) or book.locate(CUSTOMERS) is not None:  # (by name: nothing read)
        return
    book.frames()  # (none of the data sheets at all: that error, which lists them all)
    sheet, lang = CUSTOMERS, book.lang
    sep = pick(lang, "、", ", ")
    template = pick(  # (zh-Hant: from the zh-Hans template, never from the sheet names put into it)
        lang,
        "工作簿中没有客户信息表：找过名为 {names}（或 {also}，或其副本如“{copy}”）的工作表和名为 {table} 的表格；"
        "工作簿中的工作表：{found}。请添加客户信息表或给它改名；未写入任何内容",
        'no Customers sheet in the workbook: looked for a sheet named {names} (or {also}, or a copy such as "{copy}") '
        "and a table named {table}; the workbook has: {found} — add the Customers sheet or rename it; nothing was "
        "written",
    )
    raise SchemaError(template.format(
        names=" / ".join((sheet.hans, sheet.hant, sheet.en)), also=sep.join(sheet.aliases),
        copy=f"{sheet.name(lang)} (2)", table=sheet.table,
        found=sep.join(book.sheet_names()) or pick(lang, "（无）", "(none)"),
    ), lang=lang, sheet="customers", looked_for=list(sheet.names()), sheets=book.sheet_names())


def run_job(book: Book, job: str, *, today: dt.date | str | None = None, month: str | None = None) -> Summary:
    """Run one job on an open Book (changes recorded, not saved)."""
    require_customers(book, (job,))
    ctx = make_context(book, today, month, with_history=job == "review")
    result = without_gc(core_function(job))(ctx)  # the core's garbage is acyclic: no collector passes
    without_gc(book.apply)(result)  # recording makes many small acyclic objects, as the core does
    summary = result.summary
    summary.lang = ctx.lang
    tell_notes(summary, ctx.settings, ctx.lang, job)  # Settings labels not understood: warnings, once a run
    del ctx, result  # the Book recorded the changes: a run keeps nothing else of a job but its summary
    trim()
    return summary


def _run(target: Book | str | Path, jobs: tuple[str, ...], *, today: Any, month: str | None,
         out: str | Path | None, backup: bool, progress: Progress | None) -> list[Summary]:
    from .book.files import FileBook, check_readable, check_writable

    owned = not isinstance(target, Book)
    if owned:
        check_readable(Path(target))
        check_writable(Path(target), Path(out) if out is not None else None)
    book = FileBook(target, backup=backup) if owned else target
    try:
        require_customers(book, jobs)  # before the first job: a refused run records nothing
        summaries = []
        for job in jobs:
            if progress:
                progress(job, "start")
            summaries.append(run_job(book, job, today=today, month=month))
            if progress:
                progress(job, "done")
        if owned:
            if progress:
                progress("save", "start")
            book.save(out)
            tell_protection(summaries[-1], book)
            if progress:
                progress("save", "done")
        return summaries
    finally:
        if owned:
            book.close()


def tell_protection(summary: Summary, book: Book) -> None:
    """Say that the save wrote into protected sheets or changed the sheets of a structure-locked workbook.
    crm-xl writes only its own columns and sheets, and keeps every protection (password included) as it
    was; a team that protects sheets against typing mistakes still gets its columns filled in."""
    protected, locked = list(book.protected), book.structure_locked
    if not protected and not locked:
        return
    lang = book.lang
    rows = [[name, pick(lang, "工作表受保护：已写入 crm-xl 的列，保护保持不变",
                        "protected sheet: crm-xl wrote its columns into it; the protection is kept",
                        "工作表受保護：已寫入 crm-xl 的欄，保護保持不變")] for name in protected]
    if locked:
        rows.append([pick(lang, "（工作簿）", "(workbook)", "（活頁簿）"),
                     pick(lang, "工作簿结构已锁定：crm-xl 已添加或替换自己生成的工作表，锁定保持不变",
                          "structure locked: crm-xl added or replaced its own sheets; the lock is kept",
                          "活頁簿結構已鎖定：crm-xl 已新增或取代自己產生的工作表，鎖定保持不變")])
    summary.counts["protected_sheets"] = protected
    summary.counts["structure_locked"] = locked
    heads = [pick(lang, "工作表", "Sheet", "工作表"), pick(lang, "说明", "Note", "說明")]
    summary.tables.append((pick(lang, "保护", "Protection", "保護"), pd.DataFrame(rows, columns=heads)))


def validate(target: Book | str | Path, *, today: Any = None, out: str | Path | None = None,
             backup: bool = False) -> Summary:
    """Check every row of every data sheet; write the check column and the Issues sheet."""
    return _run(target, ("validate",), today=today, month=None, out=out, backup=backup, progress=None)[0]


def recompute_tiers(target: Book | str | Path, *, today: Any = None, out: str | Path | None = None,
                    backup: bool = False) -> Summary:
    """Recompute A/B/C tiers; append every change to the tier log."""
    return _run(target, ("tiers",), today=today, month=None, out=out, backup=backup, progress=None)[0]


def flag_stale(target: Book | str | Path, *, today: Any = None, out: str | Path | None = None,
               backup: bool = False) -> Summary:
    """Next due dates, overdue days and statuses on Customers; rebuild the Today worklist."""
    return _run(target, ("stale",), today=today, month=None, out=out, backup=backup, progress=None)[0]


def assess_health(target: Book | str | Path, *, today: Any = None, out: str | Path | None = None,
                  backup: bool = False) -> Summary:
    """Health score and churn risk on Customers; rebuild the churn watch list."""
    return _run(target, ("health",), today=today, month=None, out=out, backup=backup, progress=None)[0]


def build_review(target: Book | str | Path, *, month: str | None = None, today: Any = None,
                 out: str | Path | None = None, backup: bool = False) -> Summary:
    """Build the monthly review sheet (default: the last full month before today)."""
    return _run(target, ("review",), today=today, month=month, out=out, backup=backup, progress=None)[0]


def run_all(target: Book | str | Path, *, today: Any = None, month: str | None = None,
            out: str | Path | None = None, backup: bool = False,
            progress: Progress | None = None) -> list[Summary]:
    """validate → tiers → stale → health → review with one read and one save."""
    return _run(target, RUN_ORDER, today=today, month=month, out=out, backup=backup, progress=progress)
