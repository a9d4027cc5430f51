"""`crm-xl`: a thin typer shell over jobs.py. Errors print as one `Error: …` line on stderr."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from .. import __version__
from ..model.errors import INTERRUPTED, NOTHING_WRITTEN, CrmXlError, UsageError
from ..model.i18n import Lang, pick
from ..model.schema import SHEETS

if TYPE_CHECKING:
    from types import ModuleType

    from ..model.result import Summary

T = TypeVar("T")

app = typer.Typer(
    name="crm-xl",
    help="Spreadsheet-native CRM: validate, tier, follow up and review a sales team's Excel workbook in place.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console()
err_console = Console(stderr=True)

PathArg = Annotated[Path, typer.Argument(help="The workbook (.xlsx or .xlsm).", show_default=False)]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write a changed copy here instead of "
                                             "changing the workbook in place.")]
TodayOpt = Annotated[str | None, typer.Option("--today", help="Treat this date (YYYY-MM-DD) as today.")]
BackupOpt = Annotated[bool, typer.Option("--backup", help="Keep the previous file as NAME.bak.xlsx.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]


def _version(value: bool) -> None:
    if value:
        out_console.print(f"crm-xl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """crm-xl — the team's customer workbook, checked and kept up to date."""


def fail(exc: CrmXlError) -> None:
    """Print `Error: …` to stderr — its prefix in the language of the message (the workbook's when crm-xl
    read it; English for the file checks and the command line) — and exit with the error's code."""
    lang: Lang = exc.lang if exc.lang in ("zh-Hans", "zh-Hant") else "en"  # type: ignore[assignment]
    err_console.print(f"{pick(lang, '错误：', 'Error: ')}{exc.message}", markup=False, highlight=False,
                      soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def summaries_lang(summaries: list[Summary]) -> Lang:
    """The language the summaries are written in: the workbook's."""
    return summaries[0].lang if summaries else "en"  # type: ignore[return-value]


def saved_line(target: Path, lang: Lang) -> str:
    return pick(lang, f"已保存 {target}", f"Saved {target}", f"已儲存 {target}")


def guarded(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except CrmXlError as exc:
        fail(exc)
    except Exception as exc:  # noqa: BLE001 - a bug: one line, not a traceback
        internal(exc)


def internal(exc: Exception) -> None:
    """Print one `Error:` line for a bug, saying what happened to the file, and exit 3."""
    safety = sys.modules.get("crm_xl.book.xlsx.safety")
    written = getattr(safety, "saved", None)
    fate = f"{written[-1]} was saved before it" if written else "nothing was written"
    err_console.print(f"Error: crm-xl stopped on an internal error ({type(exc).__name__}: {exc}); {fate} — "
                      "please report it (CRM_XL_DEBUG=1 shows the traceback)",
                      markup=False, highlight=False, soft_wrap=True)
    if os.environ.get("CRM_XL_DEBUG"):
        raise exc
    raise typer.Exit(INTERNAL) from None


def with_progress(work: Callable[[Callable[[str, str], None]], T], as_json: bool) -> T:
    """`work(progress)` with its steps shown on a terminal: a spinner per step while it runs (`progress(step,
    "start")`), then `step: done in 1.23 s` (`progress(step, "done")`); nothing shown with --json or when
    stderr is not a terminal. Errors are told by `guarded`, once the display is closed."""
    import time

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    live = err_console.is_terminal and not as_json
    started: dict[str, float] = {}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=not live) as bar:
        tasks: dict[str, Any] = {}

        def progress(step: str, state: str) -> None:
            if state == "start":
                started[step] = time.perf_counter()
                tasks[step] = bar.add_task(step, total=1)
                return
            bar.update(tasks[step], completed=1)
            if not as_json:
                err_console.print(f"{step}: done in {time.perf_counter() - started[step]:.2f} s", highlight=False)

        try:
            result = work(progress)
        except Exception as exc:  # noqa: BLE001 - told below, once the progress display is closed
            error: Exception | None = exc
        else:
            error = None
    if error is not None:
        guarded(lambda: _raise(error))
    return result


def _raise(exc: Exception) -> None:
    raise exc


INTERNAL = 3  # exit code of an internal error (a bug), told apart from bad input (2)
SHOWN_ROWS = 20  # rows of a summary table printed on the terminal; --json has them all


def show(summaries: list[Summary], as_json: bool) -> None:
    """Print summaries as rich tables (or JSON)."""
    if as_json:
        data = [s.to_dict() for s in summaries]
        sys.stdout.write(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n")
        return
    lang = summaries_lang(summaries)
    for s in summaries:
        out_console.print(f"[bold]{s.job}[/bold]: {s.headline}", highlight=False)
        for title, df in s.tables:
            if df.empty:
                continue
            table = Table(title=title, title_justify="left", show_lines=False)
            for col in df.columns:
                table.add_column(str(col), justify="right" if df[col].dtype.kind in "iuf" else "left")
            for record in df.head(SHOWN_ROWS).itertuples(index=False, name=None):
                table.add_row(*("" if v is None or v != v else str(v) for v in record))
            out_console.print(table)
            if len(df) > SHOWN_ROWS:
                more = f"{len(df) - SHOWN_ROWS:,}"
                out_console.print(pick(lang, f"……还有 {more} 行（--json 输出全部）",
                                       f"… and {more} more rows (--json prints them all)",
                                       f"……還有 {more} 列（--json 輸出全部）"),
                                  highlight=False, soft_wrap=True)


@app.command()
def new(
    path: PathArg,
    lang: Annotated[str, typer.Option("--lang", help="Workbook language: zh-Hans, zh-Hant or en.")] = "zh-Hans",
    sample: Annotated[bool, typer.Option("--sample", help="Fill it with the sample team's data.")] = False,
    lite: Annotated[bool, typer.Option("--lite", help="Add buttons that run in the xlwings Lite add-in "
                                       "(nothing to install).")] = False,
    macros: Annotated[bool, typer.Option("--macros", help="Write an .xlsm with VBA buttons (needs Python "
                                         "and crm-xl excel-setup on each computer).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Create a new crm-xl workbook (the four templates, Settings, instructions)."""
    from ..authoring import template

    def go() -> None:
        written = template.create(path, lang=lang, sample=sample, macros=macros, lite=lite, force=force)
        out_console.print(f"Created {written}")

    guarded(go)


@app.command()
def info(path: PathArg, as_json: JsonOpt = False) -> None:
    """Show the sheets and tables found, the header language, rows per sheet and the settings in force."""
    from .info import describe

    def go() -> None:
        data = describe(path)
        if as_json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
            return
        lang: Lang = data["language"]
        out_console.print(f"[bold]{path}[/bold] — {pick(lang, '语言', 'language')} {lang}", highlight=False)
        table = Table(title=pick(lang, "数据表", "Data sheets"), title_justify="left")
        heads = [("表", "sheet"), ("找到的工作表", "found as"), ("表格", "table"), ("表头行", "header row"),
                 ("行数", "rows"), ("列数", "columns"), ("缺少的选填列", "missing optional"), ("其他列", "extra")]
        for hans, en in heads:
            table.add_column(pick(lang, hans, en))
        for s in data["sheets"]:
            name = SHEETS[s["key"]].name(lang) if lang != "en" else s["key"]
            table.add_row(name, s["sheet"] or "—", s["table"] or "—", str(s["header_row"] or ""),
                          str(s["rows"]), str(s["columns"]), ", ".join(s["missing"]), ", ".join(s["extra"]))
        out_console.print(table)
        out_console.print(f"{pick(lang, '其他工作表：', 'Other sheets: ')}{', '.join(data['other_sheets']) or '—'}",
                          highlight=False)
        kind, made = data["buttons"]["kind"], data["buttons"]["crm_xl"]
        shown = {"lite": f"xlwings Lite (crm-xl {made})" if made else pick(lang, "xlwings Lite（代码不是 crm-xl 生成的）",
                                                                         "xlwings Lite (code not made by crm-xl)"),
                 "vba": pick(lang, "VBA 宏（xlwings）", "VBA macros (xlwings)"),
                 None: pick(lang, "无（crm-xl lite-setup 可添加）", "none (crm-xl lite-setup adds them)")}[kind]
        out_console.print(f"{pick(lang, '按钮：', 'Buttons: ')}{shown}", highlight=False, markup=False)
        source = data["settings_source"] if data["settings_sheet"] else pick(lang, "默认值（没有设置表）",
                                                                                  "defaults (no Settings sheet)")
        settings = Table(title=pick(lang, f"生效的设置（{source}）", f"Settings in force ({source})"),
                         title_justify="left")
        settings.add_column(pick(lang, "设置", "setting"))
        settings.add_column(pick(lang, "值", "value"))
        for key, value in data["settings"].items():
            settings.add_row(key, ", ".join(value) if isinstance(value, list) else str(value))
        out_console.print(settings)

    guarded(go)


def load_jobs(path: Path, out: Path | None = None) -> ModuleType:
    """The jobs module — pandas and the core load while a second core starts reading `path` (after the
    file checks: an unusable workbook or --out is refused before anything is read or written)."""
    from ..runtime import start_reading

    start_reading(path, out)
    from .. import jobs

    return jobs


def _job(name: str, as_json: bool, exit_on_errors: bool = False, **kwargs: Any) -> None:
    def go() -> Summary:
        return getattr(load_jobs(kwargs["target"], kwargs["out"]), name)(**kwargs)

    summary = guarded(go)
    show([summary], as_json)
    if exit_on_errors and summary.errors:
        raise typer.Exit(1)


@app.command()
def validate(path: PathArg, out: OutOpt = None, today: TodayOpt = None, backup: BackupOpt = False,
             as_json: JsonOpt = False) -> None:
    """Check every row; write the check column and the Issues sheet. Exit 1 when there are errors."""
    _job("validate", as_json, True, target=path, out=out, today=today, backup=backup)


@app.command()
def tiers(path: PathArg, out: OutOpt = None, today: TodayOpt = None, backup: BackupOpt = False,
          as_json: JsonOpt = False) -> None:
    """Recompute A/B/C tiers and append each change to the tier log."""
    _job("recompute_tiers", as_json, target=path, out=out, today=today, backup=backup)


@app.command()
def stale(path: PathArg, out: OutOpt = None, today: TodayOpt = None, backup: BackupOpt = False,
          as_json: JsonOpt = False) -> None:
    """Flag overdue follow-ups and build the Today worklist."""
    _job("flag_stale", as_json, target=path, out=out, today=today, backup=backup)


@app.command()
def health(path: PathArg, out: OutOpt = None, today: TodayOpt = None, backup: BackupOpt = False,
           as_json: JsonOpt = False) -> None:
    """Score customer health (RFM + NPS) and list churn risks."""
    _job("assess_health", as_json, target=path, out=out, today=today, backup=backup)


@app.command()
def review(
    path: PathArg,
    month: Annotated[str | None, typer.Option("--month", help="Month to review, YYYY-MM (default: the last "
                                              "full month before today).")] = None,
    out: OutOpt = None, today: TodayOpt = None, backup: BackupOpt = False, as_json: JsonOpt = False,
) -> None:
    """Build the monthly review sheet, with charts and the history table."""
    _job("build_review", as_json, target=path, month=month, out=out, today=today, backup=backup)


@app.command()
def run(
    path: PathArg,
    month: Annotated[str | None, typer.Option("--month", help="Month to review, YYYY-MM.")] = None,
    out: OutOpt = None, today: TodayOpt = None, backup: BackupOpt = False, as_json: JsonOpt = False,
) -> None:
    """Run everything — validate, tiers, stale, health, review — with one read and one save."""
    summaries = with_progress(lambda progress: load_jobs(path, out).run_all(
        path, today=today, month=month, out=out, backup=backup, progress=progress), as_json)
    show(summaries, as_json)
    if not as_json:
        out_console.print(saved_line(out or path, summaries_lang(summaries)), highlight=False, soft_wrap=True)
    if any(s.errors for s in summaries if s.job == "validate"):
        raise typer.Exit(1)  # saved as always; the exit code says the check found errors, as `validate`'s does


# --- merge / split: the team workbook from the reps' workbooks, and back ---------------------------


@app.command()
def merge(
    team: Annotated[Path, typer.Argument(help="The team workbook (made from the template when it does not exist).",
                                         show_default=False)],
    reps: Annotated[list[Path], typer.Argument(help="The reps' workbooks.", show_default=False)],
    out: OutOpt = None, today: TodayOpt = None, backup: BackupOpt = False, as_json: JsonOpt = False,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Skip a rep file that cannot be used (listed in "
                                           "the summary) instead of stopping.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of a new team workbook: zh-Hans, zh-Hant "
                                             "or en (default: the first rep file's).")] = None,
) -> None:
    """Merge reps' workbooks into the team workbook (re-merging a file replaces its rows); flag 撞单."""
    def go(progress: Callable[[str, str], None]) -> Summary:
        from ..merging import merge as merge_books

        return merge_books(team, list(reps), out=out, skip_bad=skip_bad, lang=lang, today=today, backup=backup,
                           progress=progress)

    summary = with_progress(go, as_json)
    show([summary], as_json)
    if not as_json:
        out_console.print(saved_line(out or team, summary.lang), highlight=False, soft_wrap=True)  # type: ignore[arg-type]


@app.command()
def split(
    team: PathArg,
    into: Annotated[Path, typer.Option("--into", help="The folder for the reps' workbooks (made when missing).")],
    by: Annotated[str, typer.Option("--by", help="Split by: owner.")] = "owner",
    today: TodayOpt = None, as_json: JsonOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Replace workbooks already in the folder.")] = False,
) -> None:
    """One workbook per owner: their customers, every row naming them, their own Today."""
    def go(progress: Callable[[str, str], None]) -> Summary:
        from ..merging import split as split_book

        return split_book(team, into, by=by, today=today, force=force, progress=progress)

    show([with_progress(go, as_json)], as_json)


@app.command("lite-setup")
def lite_setup(
    path: Annotated[Path, typer.Argument(help="The workbook (.xlsx or .xlsm) to add the buttons to.",
                                         show_default=False)],
    out: OutOpt = None,
    backup: BackupOpt = False,
) -> None:
    """Add the xlwings Lite buttons to a workbook (or update their code); nothing else changes."""
    from ..authoring import lite
    from ..model.frame import quote_sheet

    def go() -> None:
        load_jobs(path, out)  # the same checks as a job: a workbook crm-xl can open, not open in Excel
        done = lite.setup(path, out=out, backup=backup)
        lang = done.lang
        for p in done.placed:
            out_console.print(f"{p.script.button.label(lang)}: {quote_sheet(p.sheet)}!{p.cell}",
                              highlight=False, markup=False)
        if done.updated:
            out_console.print(pick(lang, "工作簿里已有 crm-xl 的 xlwings Lite 代码：已更新为此版本",
                                   "The workbook already had crm-xl's xlwings Lite code: updated to this version"),
                              highlight=False, markup=False)
        if done.panel:
            out_console.print(pick(lang, f"新增工作表 {done.panel}（放按钮）", f"Added the sheet {done.panel} "
                                   "(for the buttons)"), highlight=False, markup=False)
        out_console.print(saved_line(done.path, lang), highlight=False, markup=False)
        out_console.print(pick(lang, "打开工作簿前请在 Excel 中添加 xlwings Lite 加载项（开始 ▸ 加载项 ▸ 搜索 xlwings），"
                               "打开后点一次「信任并继续」。",
                               "Before opening the workbook, add the xlwings Lite add-in in Excel (Home ▸ Add-ins "
                               "▸ search for xlwings); after opening it, click “Trust and Continue” once."),
                          highlight=False, markup=False)

    guarded(go)


@app.command("excel-setup")
def excel_setup(
    path: Annotated[Path, typer.Argument(help="The macro-enabled workbook (.xlsm) with the buttons.",
                                         show_default=False)],
    interpreter_win: Annotated[str | None, typer.Option(
        "--interpreter-win", help="Python for Excel on Windows (default on Windows: pythonw.exe of this "
        "Python).")] = None,
    interpreter_mac: Annotated[str | None, typer.Option(
        "--interpreter-mac", help="Python for Excel on macOS (default on macOS: this Python).")] = None,
    pythonpath: Annotated[str | None, typer.Option(
        "--pythonpath", help="Extra folders for Python to import from (xlwings PYTHONPATH).")] = None,
    launcher: Annotated[bool, typer.Option(
        "--launcher/--no-launcher", help="On macOS, also install xlwings' RunPython launcher "
        "(what `xlwings runpython install` does).")] = True,
    backup: BackupOpt = False,
) -> None:
    """Point the workbook's buttons at this Python: fill its xlwings.conf sheet (nothing else changes)."""
    from ..authoring import vba

    def go() -> None:
        settings = vba.interpreter_settings()
        if interpreter_win:
            settings[vba.WIN_KEY] = interpreter_win
        if interpreter_mac:
            settings[vba.MAC_KEY] = interpreter_mac
        if pythonpath is not None:
            settings["PYTHONPATH"] = pythonpath
        if not settings:
            raise UsageError(
                f"this computer ({sys.platform}) runs no Excel: run excel-setup on the Windows or Mac computer "
                "where Excel runs, or give --interpreter-win / --interpreter-mac"
            )
        entries = vba.excel_setup(path, settings, backup=backup)
        for key, value in entries:
            out_console.print(f"{key} = {value}", highlight=False, markup=False)
        if launcher and sys.platform == "darwin":
            out_console.print(f"RunPython launcher: {vba.install_mac_launcher()}", highlight=False, markup=False)
        out_console.print(f"Saved {path}", highlight=False, markup=False)

    guarded(go)


def main() -> None:
    """The `crm-xl` command. A run leaves millions of cell objects behind; once the output is flushed
    the process ends at once instead of freeing them one by one (that took 0.3 s on a team workbook).
    Ctrl-C (typer turns it into exit code 130) prints one line and exits 130."""
    try:
        try:
            app()
            code: object = 0
        except SystemExit as exc:
            code = exc.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        if code == INTERRUPTED:
            print(interrupted(), file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
    except KeyboardInterrupt:
        code = INTERRUPTED
        with contextlib.suppress(Exception):
            print(interrupted(), file=sys.stderr, flush=True)
    os._exit(code or 0)



def interrupted() -> str:
    """The one line for Ctrl-C: true because every save replaces its file in one step (book/safety.py)."""
    safety = sys.modules.get("crm_xl.book.xlsx.safety")
    written = getattr(safety, "saved", None)
    if written:
        return f"interrupted; {written[-1]} was saved before the interrupt"
    return NOTHING_WRITTEN
