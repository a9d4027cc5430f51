"""One team workbook from every rep's workbook, and back: `crm-xl merge` and `crm-xl split`.

merge: the four data sheets of each rep's workbook go into the team workbook (built from the template when it
does not exist), each row tagged with its source file (来源文件 / 來源檔案 / Source file: the rep file's name)
and an owner (the row's own 负责人, else the rep's name — see `rep_owner`). A re-merge of a file replaces the
rows that came from it, in place (core/merge/plan.py); rows typed into the team workbook (no source) are never
touched. The team's own columns and the reps' extra columns are kept (matched by header; a new one is added
past the last used column). Validation and the follow-up job then run on the merged rows, so 撞单 (two reps on
one customer, core/merge/clash.py) show on the Issues sheet and on the manager's Today — and everything is
written by one atomic save.

split: one workbook per owner, built from the template in the team's language with the team's Settings, holding
the owner's customers and every follow-up, tier-log and conversion row naming one of them, and its own Today.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .authoring.template import build, check_lang
from .book.files import FileBook, check_readable, check_writable
from .book.port import ABSENT, Book
from .core.kernel.memo import bind
from .core.merge.clash import clash_text, clashes
from .core.merge.plan import placement
from .core.validation.names import dedupe_key
from .jobs import Progress, require_customers, run_job
from .model.errors import CrmXlError, SchemaError, UsageError
from .model.i18n import Lang, pick
from .model.parse import is_blank
from .model.result import Summary
from .model.schema import DATA_SHEETS
from .runtime import WINDOW, start_reading_all, stop_reading_all

MERGED = tuple(s for s in DATA_SHEETS if "source_file" in s.keys)  # the four sheets merge carries over
SKIP = ("check", "source_file")  # columns never copied: each workbook's own check, and the merge's tag
_CUT = re.compile(r"[\s_\-－—.（(]")


@dataclass
class RepBook:
    """A rep's workbook as read: per sheet key its rows as columns (schema keys and header texts → one value
    per row), how many rows, and its own columns' headers."""

    path: Path
    source: str  # the file's name: what 来源文件 holds
    lang: Lang
    owner: str
    columns: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # sheet key → rows
    extra: dict[str, list[str]] = field(default_factory=dict)  # sheet key → its own column headers



def rep_owner(path: Path, owners: list[str]) -> str:
    """The owner given to a rep's rows whose 负责人 is blank: the one owner named on the workbook's Customers
    sheet, else the file's name up to the first space, `_`, `-`, `.` or bracket (`小王-客户.xlsx` → 小王)."""
    named = list(dict.fromkeys(o for o in owners if o))
    if len(named) == 1:
        return named[0]
    return _CUT.split(path.stem, maxsplit=1)[0] or path.stem


def read_rep(path: Path) -> RepBook:
    """A rep's workbook, read whole (CrmXlError when it is no workbook, has no Customers sheet or headers
    crm-xl cannot read)."""
    with FileBook(path) as book:
        require_customers(book, ("validate",))
        frames = book.frames()
        owners = [str(v).strip() for v in frames.customers.data["owner"].tolist() if not is_blank(v)]
        rep = RepBook(path, path.name, book.lang, rep_owner(path, owners))
        for frame in frames.present():
            if frame.sheet not in MERGED:
                continue
            keys = [k for k in frame.cols if k not in SKIP]
            arr = book.array(frame.sheet_name)
            rows = [r - 1 for r in frame.rows]
            columns = {k: frame.data[k].tolist() for k in keys}
            extras = {h: _cells(arr, rows, c) for h, c in frame.extra.items() if c not in frame.cols.values()}
            extras = {h: v for h, v in extras.items() if _keep_extra(frame, h)}
            owner_col = columns.get("owner")
            if owner_col is not None or "owner" in frame.sheet.keys:
                columns["owner"] = [rep.owner if is_blank(v) else v for v in (owner_col or [None] * len(rows))]
            rep.columns[frame.sheet.key] = {**columns, **extras} if rows else {}
            rep.counts[frame.sheet.key] = len(rows)
            rep.extra[frame.sheet.key] = list(extras)
        return rep


def _cells(arr: Any, rows: list[int], col: int) -> list[Any]:
    """The cells of sheet column `col` (1-based) on the 0-based `rows` of a sheet's cell array."""
    if col > arr.shape[1]:
        return [None] * len(rows)
    if max(rows, default=-1) < arr.shape[0]:
        return arr[rows, col - 1].tolist()
    return [arr[r, col - 1] if r < arr.shape[0] else None for r in rows]


def read_reps(paths: list[Path]) -> list[RepBook | str]:
    """Each rep's workbook read in turn, or why it cannot be used; the next `runtime.WINDOW` are parsed
    meanwhile (calamine parses outside the GIL, on the other core): each file is started once, WINDOW files
    before its turn."""
    out: list[RepBook | str] = []
    try:
        start_reading_all(paths[1:WINDOW])
        for i, path in enumerate(paths):
            start_reading_all(paths[i + WINDOW:i + WINDOW + 1])
            out.append(_try_read(path))
    finally:
        stop_reading_all()  # (none left after a whole read; some when it was interrupted)
    return out


def _try_read(path: Path) -> RepBook | str:
    """A rep's workbook, or why it cannot be used."""
    try:
        return read_rep(path)
    except CrmXlError as exc:
        return str(exc)


def _keep_extra(frame: Any, header: str) -> bool:
    """A team's own column, not a second header of a crm-xl column (that one validation warns about)."""
    return not any(i.header == header for i in frame.ignored) if frame.ignored else True


def merge(team: str | Path, reps: list[str | Path], *, out: str | Path | None = None, skip_bad: bool = False,
          lang: str | None = None, today: Any = None, backup: bool = False,
          progress: Progress | None = None) -> Summary:
    """Merge the reps' workbooks into `team` (in place, or into `out`); see the module docstring. `progress`
    hears each step start and finish: read, merge, validate, stale, save."""
    if not reps:
        raise UsageError("name at least one rep's workbook to merge")
    team_path = Path(team)
    paths = [Path(p) for p in reps]
    names = Counter(p.name for p in paths)
    if twice := [n for n, k in names.items() if k > 1]:
        raise UsageError(f"two rep files share the name {twice[0]}: the source column tells reps' rows apart by "
                         "file name — rename one of them")
    if any(p.resolve() == team_path.resolve() for p in paths if p.exists()) and team_path.exists():
        raise UsageError(f"{team_path}: the team workbook is also named as a rep's workbook")
    good, bad = [], []
    with _step(progress, f"read {len(paths)} files"):
        got_all = read_reps(paths)
    for p, got in zip(paths, got_all, strict=True):
        if isinstance(got, RepBook):
            good.append(got)
        else:
            bad.append((p, got))
    if bad and not skip_bad:
        lines = "\n".join(f"  {p}: {why}" for p, why in bad)
        raise UsageError(f"{len(bad)} rep file(s) cannot be merged (nothing was written; --skip-bad merges the "
                         f"others):\n{lines}", files=[str(p) for p, _ in bad])
    if not good:
        raise UsageError("no rep's workbook could be merged; nothing was written")
    with _TeamBook(team_path, out, lang or good[0].lang, backup) as (book, target):
        require_customers(book, ("validate",))
        missing = [s for s in MERGED if any(r.counts.get(s.key) for r in good) and book.find(s.key) is None]
        if missing:
            raise SchemaError(f"{team_path}: the team workbook has no {missing[0].name(book.lang)} sheet for the "
                              f"reps' rows — add it (or start from a new team workbook); nothing was written")
        with _step(progress, "merge"):
            placed = _place(book, good)
        summaries = []
        for job in ("validate", "stale"):
            with _step(progress, job):
                summaries.append(run_job(book, job, today=today))
        found = clashes(bind(book.frames(), book.cache), book.settings())  # (the run's: worked out once)
        with _step(progress, "save"):
            book.save(target)
        return _summary(book, good, bad, placed, found, summaries)


class _TeamBook:
    """The team workbook opened for the merge, and where it is saved: a new one is built from the template
    (in `lang`) in a temporary folder and saved to `out`, else to `team`."""

    def __init__(self, team: Path, out: str | Path | None, lang: str, backup: bool) -> None:
        self.team, self.out, self.lang, self.backup = team, Path(out) if out else None, lang, backup
        self.tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> tuple[Book, Path | None]:
        if self.team.exists():
            check_readable(self.team)
            check_writable(self.team, self.out)
            self.book = FileBook(self.team, backup=self.backup)
            return self.book, self.out
        target = self.out or self.team
        if not target.parent.is_dir():
            raise UsageError(f"{target}: folder {target.parent} does not exist")
        if target.suffix.lower() != ".xlsx":
            raise UsageError(f"{target}: a new team workbook must be an .xlsx file")
        self.tmp = tempfile.TemporaryDirectory(prefix="crm-xl-merge-")
        blank = Path(self.tmp.name) / "team.xlsx"
        build(blank, lang=check_lang(self.lang))
        self.book = FileBook(blank)
        return self.book, target

    def __exit__(self, *exc: object) -> None:
        self.book.close()
        if self.tmp is not None:
            self.tmp.cleanup()


def _place(book: Book, reps: list[RepBook]) -> dict[str, dict[str, int]]:
    """Record every rep's rows on the team's sheets; per sheet key: rows replaced, cleared and appended."""
    out = {}
    for sheet in MERGED:
        columns, count = _columns(reps, sheet.key)
        frame = book.find(sheet.key)
        if frame is None:
            continue
        held = frame.data["source_file"].tolist()
        at = placement(frame.rows, held, [(r.source, r.counts.get(sheet.key, 0)) for r in reps],
                       book.blank_rows(sheet.key))
        if not count and not at.clear:
            continue
        if at.order != list(range(count)):  # records in the order they are written (each file's rows its own)
            columns = {name: [values[i] for i in at.order] for name, values in columns.items()}
        extra = list(dict.fromkeys(h for r in reps for h in r.extra.get(sheet.key, [])))
        book.record_columns(sheet.key, columns, count, at.slots, extra, at.clear)
        out[sheet.key] = {"rows": count, "replaced": len(at.slots), "cleared": len(at.clear),
                          "appended": at.appended}
    return out


@contextmanager
def _step(progress: Progress | None, name: str) -> Iterator[None]:
    """A step of a merge or split, told to `progress` as it starts and when it is done."""
    if progress:
        progress(name, "start")
    yield
    if progress:
        progress(name, "done")


def _columns(reps: list[RepBook], key: str) -> tuple[dict[str, list[Any]], int]:
    """The rows of sheet `key` of every rep, one after the other, as columns (field → values; `ABSENT` on the
    rows of a rep without that field), each tagged with its source file; and how many rows."""
    parts = [(r, r.columns[key], r.counts[key]) for r in reps if r.counts.get(key)]
    names = dict.fromkeys(n for _, cols, _ in parts for n in [*cols, "source_file"])
    columns: dict[str, list[Any]] = {}
    for name in names:
        column: list[Any] = []
        for rep, cols, n in parts:
            if name == "source_file":
                column += [rep.source] * n
            else:
                column += cols.get(name) or [ABSENT] * n
        columns[name] = column
    return columns, sum(n for _, _, n in parts)


def _summary(book: Book, good: list[RepBook], bad: list[tuple[Path, str]], placed: dict[str, dict[str, int]],
             found: pd.DataFrame, summaries: list[Summary]) -> Summary:
    lang = book.lang
    sheet_names = {s.key: s.name(lang) for s in MERGED}
    per_source = pd.DataFrame(
        [[r.source, r.owner, *(r.counts.get(k, 0) for k in sheet_names)] for r in good],
        columns=[pick(lang, "来源文件", "Source file", "來源檔案"), pick(lang, "负责人", "Owner", "負責人"),
                 *sheet_names.values()])
    tables = [(pick(lang, "合并的文件", "Files merged", "合併的檔案"), per_source)]
    if bad:
        tables.append((pick(lang, "跳过的文件", "Files skipped", "略過的檔案"),
                       pd.DataFrame([[str(p), why] for p, why in bad],
                                    columns=[pick(lang, "文件", "File", "檔案"), pick(lang, "原因", "Reason")])))
    rule = book.settings().clash_rule
    if len(found):
        tables.append((pick(lang, "撞单", "Clashes"), pd.DataFrame(
            [[c["row_a"], c["row_b"], clash_text(c, rule, lang)] for c in found.to_dict("records")],
            columns=[pick(lang, "行", "Row"), pick(lang, "行", "Row") + " 2", pick(lang, "说明", "Note")])))
    rows = sum(sum(r.counts.values()) for r in good)
    headline = pick(lang, "合并 {files} 个文件，{rows} 行；撞单 {clashes} 处{skipped}",
                    "merged {files} files, {rows} rows; {clashes} clashes{skipped}").format(
        files=len(good), rows=rows, clashes=len(found),
        skipped=pick(lang, "；跳过 {n} 个文件", "; {n} files skipped").format(n=len(bad)) if bad else "")
    check = summaries[0]
    counts = {"files": [r.source for r in good], "rows": rows, "sheets": placed, "clashes": len(found),
              "skipped": {str(p): why for p, why in bad}, "check_errors": check.errors,
              "check_warnings": check.warnings, "today": summaries[1].counts.get("todo", 0)}
    return Summary("merge", headline, counts, tables, errors=check.errors, warnings=check.warnings + len(bad),
                   lang=lang)


# --- split ------------------------------------------------------------------------------------------


_BAD_FILE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def split(team: str | Path, into: str | Path, *, by: str = "owner", today: Any = None,
          force: bool = False, progress: Progress | None = None) -> Summary:
    """One workbook per owner in the folder `into` (see the module docstring); returns what was written.
    `progress` hears each step start and finish: read, then each workbook written."""
    if by != "owner":
        raise UsageError(f"--by {by}: only --by owner is supported")
    folder = Path(into)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: is a file, not a folder")
    with _step(progress, "read"), FileBook(team) as book:
        require_customers(book, ("validate",))
        frames, lang = book.frames(), book.lang
        unassigned = pick(lang, "未分配", "Unassigned")
        customers = frames.customers
        owner_of = [unassigned if is_blank(v) else str(v).strip() for v in customers.data["owner"].tolist()]
        keys: dict[str | None, set[str]] = {}
        for name, owner in zip(customers.data["customer"].tolist(), owner_of, strict=True):
            keys.setdefault(dedupe_key(name), set()).add(owner)
        rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
        extra: dict[str, list[str]] = {}
        for frame in frames.present():
            if frame.sheet not in MERGED:
                continue
            arr = book.array(frame.sheet_name)
            extras = {h: c for h, c in frame.extra.items() if c not in frame.cols.values() and _keep_extra(frame, h)}
            extra[frame.sheet.key] = list(extras)
            fields = [k for k in frame.cols if k not in SKIP]
            for i, (row, values) in enumerate(zip(frame.rows, frame.data[fields].itertuples(index=False, name=None),
                                                  strict=True)):
                record = {k: v for k, v in zip(fields, values, strict=True) if not is_blank(v)}
                record.update({h: arr[row - 1, c - 1] for h, c in extras.items()
                               if row <= arr.shape[0] and c <= arr.shape[1] and not is_blank(arr[row - 1, c - 1])})
                if frame.sheet.key == "customers":
                    owners = {owner_of[i]}
                else:
                    own = record.get("owner")
                    owners = keys.get(dedupe_key(record.get("customer"))) or {
                        unassigned if is_blank(own) else str(own).strip()}
                for owner in sorted(owners):
                    rows.setdefault(owner, {}).setdefault(frame.sheet.key, []).append(record)
        settings = book.settings_sheet()
        settings_cells = {(r + 1, c + 1): v for r, line in enumerate(book.grid(settings)) for c, v in enumerate(line)
                          if not is_blank(v)} if settings else {}
    names = {owner: _BAD_FILE.sub("_", owner).strip(" .") or "_" for owner in rows}
    if len(set(names.values())) < len(names):
        raise UsageError("two owners give the same file name once characters a file name cannot hold are replaced")
    targets = {owner: folder / f"{name}.xlsx" for owner, name in names.items()}
    there = [str(t) for t in targets.values() if t.exists()]
    if there and not force:
        raise UsageError(f"{there[0]} already exists ({len(there)} of the files to write); pass --force to replace "
                         "them — nothing was written")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for owner in sorted(rows):
        with _step(progress, f"write {targets[owner].name}"):
            written.append(_write_rep(targets[owner], lang, rows[owner], extra, settings_cells, today))
    table = pd.DataFrame([[str(p), o, *(len(rows[o].get(s.key, [])) for s in MERGED)]
                          for (p, o) in zip(written, sorted(rows), strict=True)],
                         columns=[pick(lang, "文件", "File", "檔案"), pick(lang, "负责人", "Owner", "負責人"),
                                  *(s.name(lang) for s in MERGED)])
    headline = pick(lang, "拆分为 {n} 个工作簿：{folder}", "split into {n} workbooks in {folder}").format(
        n=len(written), folder=folder)
    return Summary("split", headline, {"files": {o: str(p) for o, p in zip(sorted(rows), written, strict=True)}},
                   [(pick(lang, "写入的文件", "Files written", "寫入的檔案"), table)], lang=lang)


def _write_rep(target: Path, lang: Lang, rows: dict[str, list[dict[str, Any]]], extra: dict[str, list[str]],
               settings_cells: dict[tuple[int, int], Any], today: Any) -> Path:
    """A rep's workbook: the template in `lang`, the team's Settings, `rows` per sheet key, its own Today."""
    with tempfile.TemporaryDirectory(prefix="crm-xl-split-") as tmp:
        blank = Path(tmp) / "rep.xlsx"
        build(blank, lang=lang)
        with FileBook(blank) as book:
            if settings_cells and (name := book.settings_sheet()):  # the team's rules, the template's cleared
                blank_cells = {(r + 1, c + 1): None for r, line in enumerate(book.grid(name)) for c, v in enumerate(line)
                               if not is_blank(v)}
                book.set_cells(name, {**blank_cells, **settings_cells})
            for key in (s.key for s in MERGED):
                if rows.get(key):
                    book.record_rows(key, {}, rows[key], extra.get(key, []))
            run_job(book, "stale", today=today)
            book.save(target)
    return target


__all__ = ["merge", "split", "rep_owner", "read_rep", "read_reps", "RepBook"]


