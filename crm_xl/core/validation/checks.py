"""The checks: cell rules per column (by Kind) here, then row and cross-sheet rules (rows.py). Collects Issue
records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ...model.format import date_text
from ...model.frame import Frame, col_letter
from ...model.headers import Ignored
from ...model.i18n import Lang, pick
from ...model.parse import (
    _MOBILE,
    is_blank,
    is_error,
    norm,
    parse_amount,
    parse_budget,
    parse_datetime,
    parse_int,
    parse_number,
    parse_tags,
)
from ...model.schema import ENUMS, SCORE, Column, Kind, NoValue
from ..context import Context
from ..kernel.columns import factorized
from ..kernel.vectors import stamps
from .contacts import Contact, parse_contacts
from .rows import RowChecks
from .rules import PAST_DATES, RULES
from .values import Cells, Values, brief

FAST_DATES = True  # vectorised path for date columns of dates and datetimes (tests turn it off to compare)
MIN_YEAR = 1980  # earlier dates in a CRM are typos (or small numbers read as Excel serials)


BLANK, ERROR, DATELIKE, UNSAVED = 1, 2, 3, 4  # cell classes (0: anything else)
_RAW = object()  # (emit: no `shown` given)


def _classify(value: Any) -> int:
    """BLANK, ERROR (#N/A …), DATELIKE (a date, time or TRUE/FALSE: wrong where text is expected),
    UNSAVED (a formula with no saved value, which reads as blank) or 0."""
    if type(value) is str:  # the common case first
        text = value.strip()
        if not text:
            return BLANK
        return ERROR if text[0] == "#" and is_error(text) else 0
    if type(value) is NoValue:
        return UNSAVED
    if is_blank(value):
        return BLANK
    if isinstance(value, bool | np.bool_ | dt.date | dt.time):
        return DATELIKE
    return 0


def _formulas(raw: np.ndarray) -> np.ndarray:
    """The cells with each formula that has no saved value as its text (`=TODAY()-F2`: what the Issues
    sheet shows as the value)."""
    return np.array([v.formula if type(v) is NoValue else v for v in raw.tolist()], dtype=object)


def _when(value: Any) -> dt.datetime | None:
    """A plausible date/datetime from a cell, else None."""
    # datetimes (and pandas Timestamps) are used as they are: the common case, kept fast
    stamp = value if isinstance(value, dt.datetime) else parse_datetime(value)
    if stamp is None or stamp.year < MIN_YEAR:
        return None
    return stamp


def _contact(value: Any) -> tuple[Contact, ...] | None:
    """`parse_contacts`, with the usual cell (an 11-digit CN mobile, typed as text or as a number) taken
    straight: parse_contacts would find the same digits."""
    if type(value) is str:
        if len(value) == 11 and value.isascii() and value.isdigit() and _MOBILE.match(value):
            return (("phone", value),)
    elif type(value) is int and value > 0:
        text = str(value)
        if _MOBILE.match(text):
            return (("phone", text),)
    return parse_contacts(value)


def _allowed(items: list[str], lang: Lang, limit: int = 8) -> str:
    sep = pick(lang, "、", ", ")
    shown = sep.join(items[:limit])
    return shown + ("…" if len(items) > limit else "")


class Checker(RowChecks):
    """Runs every rule over the frames of a Context and collects the issues found: the cell rules here,
    the row and cross-sheet rules in RowChecks (rows.py)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.lang: Lang = ctx.lang
        self.records: dict[str, list[Any]] = {k: [] for k in
                                               ("sheet", "row", "col", "key", "rule", "value", "message")}
        self.cols: dict[tuple[str, str], Cells] = {}
        self.links: dict[str, pd.Series] = {}  # sheet → strict customer key per row
        self.unique_keys: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # per distinct customer cell
        self.known: tuple[set[str], set[str]] | None = None  # see `_known_names`

    # --- recording ---------------------------------------------------------------------------------

    def emit(self, frame: Frame, key: str, code: str, mask: np.ndarray, raw: np.ndarray,
             variant: str | None = None, **fields: Any) -> None:
        """One issue per True in `mask`. A field given as an array is taken row by row; `shown`
        replaces the value quoted in the message; `variant` picks another template of the rule."""
        where = np.flatnonzero(mask)
        if not len(where):
            return
        rule = RULES[code]
        col = frame.headers.get(key) or frame.header(key)
        r = self.records
        template = rule.template(self.lang, variant)
        fixed = {k: v for k, v in fields.items() if not isinstance(v, np.ndarray)}
        varying = {k: v for k, v in fields.items() if isinstance(v, np.ndarray)}
        constant = fixed.pop("shown", _RAW)  # a `shown` for every issue, else row by row (the raw cell by default)
        shown = varying.pop("shown", raw if constant is _RAW else None)
        names, arrays = list(varying), list(varying.values())
        texts: dict[Any, str] = {}  # message per (shown value, varying fields): issues often repeat them
        messages = r["message"]
        for i in where:
            value, vary = constant if shown is None else shown[i], tuple(a[i] for a in arrays)
            try:  # (typed: 1, 1.0 and True are shown differently)
                seen: Any = (type(value), value, tuple((type(x), x) for x in vary))
                text = texts.get(seen)
            except TypeError:  # an unhashable value: formatted on its own
                seen, text = None, None
            if text is None:
                text = template.format(col=col, value=brief(value), **fixed, **dict(zip(names, vary, strict=True)))
                if seen is not None:
                    texts[seen] = text
            messages.append(text)
        n = len(where)
        r["sheet"].extend([frame.sheet.key] * n)
        r["row"].extend(frame.data.index.to_numpy()[where].tolist())
        r["col"].extend([frame.cols.get(key, 0)] * n)
        r["key"].extend([key] * n)
        r["rule"].extend([code] * n)
        r["value"].extend(raw[where].tolist())

    # --- cell rules --------------------------------------------------------------------------------

    def cells(self, frame: Frame) -> None:
        self._ignored_columns(frame)
        for column in frame.sheet.input_columns:
            if frame.has(column.key):
                self._column(frame, column)

    def _ignored_columns(self, frame: Frame) -> None:
        """duplicate_column, on the header cell of each column left out because another one names the same
        crm-xl column (see headers.match_columns)."""
        ignored: list[Ignored] = frame.ignored
        rule = RULES["duplicate_column"]
        for dup in ignored:
            why = pick(self.lang, "（此列为空）", " (empty)") if dup.empty else ""
            r = self.records
            r["message"].append(rule.message(self.lang, col=frame.header(dup.key), kept=col_letter(dup.kept),
                                             kept_header=brief(dup.kept_header), why=why))
            for name, value in (("sheet", frame.sheet.key), ("row", frame.header_row), ("col", dup.col),
                                ("key", dup.key), ("rule", "duplicate_column"), ("value", dup.header)):
                r[name].append(value)

    def _column(self, frame: Frame, column: Column) -> None:
        key, sheet = column.key, frame.sheet.key
        vals = Values(frame.data[key], factorized(self.ctx.frames, sheet, key))
        if column.kind in (Kind.DATE, Kind.DATETIME) and FAST_DATES and self._distinct_dates(frame, column, vals):
            return
        cls = np.fromiter(map(_classify, vals.uniques), dtype=np.int8, count=len(vals.uniques))
        blank, error, unsaved = cls == BLANK, cls == ERROR, cls == UNSAVED
        filled = ~blank & ~error & ~unsaved
        if error.any():  # (an all-False mask emits nothing: spread to the rows only when needed)
            self.emit(frame, key, "cell_error", vals.rows(error), vals.raw)
        if unsaved.any():  # not blank (it has a formula), not a value either: reported, then left out
            self.emit(frame, key, "formula_no_value" if column.required else "formula_no_value_optional",
                      vals.rows(unsaved), _formulas(vals.raw))
        if column.required and blank.any():
            self.emit(frame, key, "required", vals.rows(blank), vals.raw)
        parsed, ok = self._parse(frame, column, vals, filled, cls == DATELIKE)
        self.cols[(sheet, key)] = Cells(vals, np.where(ok, parsed, None), blank)

    def _distinct_dates(self, frame: Frame, column: Column, vals: Values) -> bool:
        """The date rules over the distinct cells vectorised, for a column holding only dates, datetimes and
        blanks (what Excel stores for date cells, with or without a time). False when the column needs the
        general path."""
        dates = vals.uniques[:-1]  # (the last slot stands for the blank cells)
        if pd.api.types.infer_dtype(dates, skipna=False) not in ("date", "datetime", "empty"):
            return False
        if any(getattr(d, "tzinfo", None) is not None for d in dates):
            return False
        try:
            days = pd.DatetimeIndex(stamps(pd.Series(dates, dtype=object)))
        except (ValueError, TypeError, OverflowError):
            return False
        if days.isna().any():  # e.g. year 1 or 9999 (out of the nanosecond range): the general path reports it
            return False
        key, raw = column.key, vals.raw
        ok = np.append(np.asarray(days.year >= MIN_YEAR), False)
        blank = np.zeros(len(vals.uniques), dtype=bool)
        blank[-1] = True
        if column.required and (vals.codes == len(dates)).any():
            self.emit(frame, key, "required", vals.rows(blank), raw)
        if not ok[:-1].all():
            self.emit(frame, key, "bad_date", vals.rows(~blank & ~ok), raw)
        if (frame.sheet.key, key) in PAST_DATES:
            today = self.ctx.today
            future = ok & np.append(np.asarray(days.normalize() > pd.Timestamp(today)), False)
            if future.any():
                self.emit(frame, key, "future_date", vals.rows(future), raw, today=date_text(today))
        # (what `_when` gives: a datetime as it is, a date at midnight)
        when = [d if isinstance(d, dt.datetime) else dt.datetime(d.year, d.month, d.day) for d in dates]
        self.cols[(frame.sheet.key, key)] = Cells(vals, np.where(ok, np.array([*when, None], dtype=object), None),
                                                  blank)
        return True

    def _parse(self, frame: Frame, column: Column, vals: Values, filled: np.ndarray,
               datelike: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Check a column's filled cells by kind. Works per distinct value: returns (parsed value,
        valid mask), both aligned with `vals.uniques`."""
        key, kind, lang = column.key, column.kind, self.lang
        settings = self.ctx.settings

        def emit(code: str, mask: np.ndarray, **fields: Any) -> None:
            if not mask.any():  # nothing to report (and nothing to spread to the rows)
                return
            self.emit(frame, key, code, vals.rows(mask), vals.raw,
                      **{k: vals.rows(v) if isinstance(v, np.ndarray) else v for k, v in fields.items()})

        def valid(parsed: np.ndarray) -> np.ndarray:
            return filled & np.fromiter((p is not None for p in parsed), dtype=bool, count=len(parsed))

        if kind in (Kind.DATE, Kind.DATETIME):
            parsed = vals.each(_when)
            ok = valid(parsed)
            emit("bad_date", filled & ~ok)
            if (frame.sheet.key, key) in PAST_DATES:
                today = self.ctx.today
                future = ok & np.fromiter((p is not None and p.date() > today for p in parsed), dtype=bool,
                                          count=len(parsed))
                emit("future_date", future, today=date_text(today))
            return parsed, ok
        if kind == Kind.AMOUNT:
            parsed = vals.each(parse_amount)
            ok = valid(parsed)
            emit("bad_amount", filled & ~ok)
            positive = np.fromiter((p is not None and p > 0 for p in parsed), dtype=bool, count=len(parsed))
            emit("amount_not_positive", ok & ~positive)
            return parsed, ok & positive
        if kind == Kind.BUDGET:
            parsed = vals.each(parse_budget)
            ok = valid(parsed)
            emit("bad_budget", filled & ~ok)
            return parsed, ok
        if kind == Kind.INT:
            lo, hi = column.bounds
            parsed = vals.each(lambda v: n if (n := parse_int(v)) is not None and lo <= n <= hi else None)
            ok = valid(parsed)
            if column.bounds == SCORE:  # a survey's 0–10 score
                if (filled & ~ok).any():
                    self.emit(frame, key, "bad_nps", vals.rows(filled & ~ok), vals.raw, variant="score")
            else:
                emit("bad_nps" if key == "nps" else "bad_type", filled & ~ok,
                     expected=pick(lang, "整数", "a whole number"))
            return parsed, ok
        if kind == Kind.NUMBER:
            parsed = vals.each(parse_number)
            ok = valid(parsed)
            emit("bad_type", filled & ~ok, expected=pick(lang, "数字", "a number"))
            return parsed, ok
        if kind == Kind.CHOICE:
            enum = ENUMS[column.enum or ""]
            parsed = vals.each(enum.parse)
            ok = valid(parsed)
            emit("not_in_list", filled & ~ok, allowed=_allowed(enum.labels(lang), lang))
            return parsed, ok
        if kind == Kind.TEXT and not column.required:
            # free text (notes, need, feedback …): anything goes — Excel turns a typed "3/1" into a date
            return np.fromiter(vals.uniques, dtype=object, count=len(vals.uniques)), filled
        # names, list values, tags, phones: a date or TRUE/FALSE is the wrong type
        wrong = filled & datelike
        emit("bad_type", wrong, expected=pick(lang, "文本", "text"))
        ok = filled & ~wrong
        if kind == Kind.PHONE:
            parsed = vals.each(_contact)
            bad = ok & ~valid(parsed)
            email = np.zeros(len(bad), dtype=bool)  # (looked at only for the invalid values)
            email[bad] = ["@" in norm(vals.uniques[i]) for i in np.flatnonzero(bad)]
            emit("bad_email", bad & email)
            emit("bad_contact", bad & ~email)
            return parsed, ok & ~bad
        if kind == Kind.LIST and column.list and getattr(settings, column.list):
            match = settings.matcher(column.list)
            parsed = vals.each(lambda v: match(norm(v)))
            bad = ok & ~valid(parsed)
            emit("not_in_list", bad, allowed=_allowed(list(getattr(settings, column.list)), lang))
            return parsed, ok & ~bad
        if kind == Kind.TAGS and column.list and getattr(settings, column.list):
            match = settings.matcher(column.list)
            unknown = vals.each(lambda v: [t for t in parse_tags(v) if match(t) is None])
            has = ok & np.fromiter((bool(u) for u in unknown), dtype=bool, count=len(unknown))
            shown = np.array([pick(lang, "、", ", ").join(u) for u in unknown], dtype=object)
            emit("unknown_tag", has, shown=shown)
            return vals.each(parse_tags), ok
        if kind == Kind.TAGS:
            return vals.each(parse_tags), ok
        return np.fromiter(vals.uniques, dtype=object, count=len(vals.uniques)), ok  # free text: any value will do
