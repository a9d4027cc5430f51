"""The checks: cell rules per column (by Kind), then row and cross-sheet rules. Collects Issue records."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...model.format import date_text
from ...model.frame import Frame, col_letter
from ...model.headers import Ignored
from ...model.i18n import Lang, fold, pick
from ...model.parse import (
    _MOBILE,
    is_blank,
    is_error,
    norm,
    parse_amount,
    parse_budget,
    parse_contact,
    parse_datetime,
    parse_int,
    parse_number,
    parse_tags,
)
from ...model.schema import ENUMS, STATUS, Column, Kind, NoValue
from ..context import Context
from ..kernel.columns import factorized
from ..kernel.names import fold_ahead, keys_of
from .names import dedupe_key
from .rules import PAST_DATES, RULES
from .values import Values, brief

FAST_DATES = True  # vectorised path for date columns of dates and datetimes (tests turn it off to compare)
MIN_YEAR = 1980  # earlier dates in a CRM are typos (or small numbers read as Excel serials)
REFERRING = ("followups", "tierlog", "conversions")


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


def _contact(value: Any) -> tuple[str, str] | None:
    """`parse_contact`, with the usual cell (an 11-digit CN mobile, typed as text or as a number) taken
    straight: parse_contact would find the same digits."""
    if type(value) is str:
        if len(value) == 11 and value.isascii() and value.isdigit() and _MOBILE.match(value):
            return ("phone", value)
    elif type(value) is int and value > 0:
        text = str(value)
        if _MOBILE.match(text):
            return ("phone", text)
    return parse_contact(value)


def _allowed(items: list[str], lang: Lang, limit: int = 8) -> str:
    sep = pick(lang, "、", ", ")
    shown = sep.join(items[:limit])
    return shown + ("…" if len(items) > limit else "")


@dataclass
class Cells:
    """A checked column: its Values, the parsed value per distinct value (None where invalid) and
    which distinct values are blank."""

    vals: Values
    parsed: np.ndarray
    blank: np.ndarray

    def series(self) -> pd.Series:
        """Parsed value per row (None where blank or invalid)."""
        return pd.Series(self.vals.rows(self.parsed), index=self.vals.index, dtype=object)

    def blank_rows(self) -> np.ndarray:
        return self.vals.rows(self.blank)


class Checker:
    """Runs every rule over the frames of a Context and collects the issues found."""

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
             **fields: Any) -> None:
        """One issue per True in `mask`. A field given as an array is taken row by row; `shown`
        replaces the value quoted in the message."""
        where = np.flatnonzero(mask)
        if not len(where):
            return
        rule = RULES[code]
        col = frame.headers.get(key) or frame.header(key)
        r = self.records
        template = pick(self.lang, rule.hans, rule.en)
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
        try:
            stamps = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates, dtype=object), errors="raise"))
        except (ValueError, TypeError, OverflowError):  # e.g. year 1 or 9999: the general path reports it
            return False
        if stamps.tz is not None or stamps.isna().any():
            return False
        key, raw = column.key, vals.raw
        ok = np.append(np.asarray(stamps.year >= MIN_YEAR), False)
        blank = np.zeros(len(vals.uniques), dtype=bool)
        blank[-1] = True
        if column.required and (vals.codes == len(dates)).any():
            self.emit(frame, key, "required", vals.rows(blank), raw)
        if not ok[:-1].all():
            self.emit(frame, key, "bad_date", vals.rows(~blank & ~ok), raw)
        if (frame.sheet.key, key) in PAST_DATES:
            today = self.ctx.today
            future = ok & np.append(np.asarray(stamps.normalize() > pd.Timestamp(today)), False)
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
            parsed = vals.each(lambda v: n if (n := parse_int(v)) is not None and -100 <= n <= 100 else None)
            ok = valid(parsed)
            emit("bad_nps" if key == "nps" else "bad_type", filled & ~ok, expected=pick(lang, "整数", "a whole number"))
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
            emit("bad_phone", bad & ~email)
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

    # --- row and cross-sheet rules -----------------------------------------------------------------

    def get(self, sheet: str, key: str) -> pd.Series | None:
        cells = self.cols.get((sheet, key))
        return None if cells is None else cells.series()

    def raw(self, sheet: str, key: str) -> np.ndarray:
        return self.cols[(sheet, key)].vals.raw

    def customer_keys(self, frame: Frame) -> pd.Series:
        """Normalised customer name per row (None where the cell is blank or invalid); the strict
        `customer_key` the other jobs use goes to `self.links`."""
        cells = self.cols[(frame.sheet.key, "customer")]
        fold_ahead(cells.parsed)
        keys = np.array([dedupe_key(p) if p is not None else None for p in cells.parsed], dtype=object)
        links = np.array([None if p is None else k for p, k in zip(cells.parsed, keys_of(cells.parsed), strict=True)],
                         dtype=object)
        self.links[frame.sheet.key] = pd.Series(cells.vals.rows(links), index=cells.vals.index, dtype=object)
        self.unique_keys[frame.sheet.key] = (keys, links)
        return pd.Series(cells.vals.rows(keys), index=cells.vals.index, dtype=object)

    def rows(self) -> None:
        frames = self.ctx.frames
        keys = {f.sheet.key: self.customer_keys(f) for f in frames.present()}
        customers = frames.customers
        if customers is None:
            return
        self._duplicates(customers, keys["customers"])
        self._entry_lag(customers)
        self._verification(customers)
        self._lost(customers)
        for sheet in REFERRING:
            frame = frames.get(sheet)
            if frame is not None:
                self._references(customers, keys["customers"], frame, keys[sheet])
        if frames.followups is not None:
            self._owner_mismatch(customers, keys["customers"], frames.followups, keys["followups"])
        if frames.conversions is not None:
            self._won_without_conversion(customers, keys["customers"], frames.conversions, keys["conversions"])
            self._conversion_not_won(customers, keys["customers"], frames.conversions, keys["conversions"])

    def _references(self, customers: Frame, names: pd.Series, frame: Frame, refs: pd.Series) -> None:
        """unknown_customer; name_variant when the name matches only once suffixes/punctuation are
        ignored (the other jobs link rows by the stricter customer_key, so they would miss it)."""
        raw = self.raw(frame.sheet.key, "customer")
        # per distinct cell, spread to the rows (as refs / links are)
        vals = self.cols[(frame.sheet.key, "customer")].vals
        keys_u, links_u = self.unique_keys[frame.sheet.key]
        known, linked = self._known_names(names)
        found = vals.rows(np.fromiter((k is not None and k in known for k in keys_u), dtype=bool, count=len(keys_u)))
        present = vals.rows(np.fromiter((k is not None for k in keys_u), dtype=bool, count=len(keys_u)))
        self.emit(frame, "customer", "unknown_customer", present & ~found, raw, sheet=customers.sheet_name)
        if not found.any():
            return
        strict = np.fromiter((k is not None and k in linked for k in links_u), dtype=bool, count=len(links_u))
        variant = found & ~vals.rows(strict)
        if not variant.any():
            return
        spelled: dict[str, Any] = {}
        for k, v in zip(names.to_numpy(), self.raw("customers", "customer"), strict=True):
            if k is not None:
                spelled.setdefault(k, v)
        refs_arr = refs.to_numpy()
        shown = np.full(len(refs_arr), "", dtype=object)
        for i in np.flatnonzero(variant):
            shown[i] = brief(spelled[refs_arr[i]])
        self.emit(frame, "customer", "name_variant", variant, raw, expected=shown, sheet=customers.sheet_name)

    def _known_names(self, names: pd.Series) -> tuple[set[str], set[str]]:
        """The Customers sheet's normalised names and strict keys (worked out once for the three sheets)."""
        if self.known is None:
            self.known = set(names.dropna()), set(self.links["customers"].dropna())
        return self.known

    def _duplicates(self, frame: Frame, names: pd.Series) -> None:
        lang = self.lang
        self._dup(frame, "customer", names, pick(lang, "同一名称", "same name"))
        contact = self.cols.get(("customers", "phone"))
        if contact is None:
            return
        for kind, what in (("phone", pick(lang, "同一电话", "same phone")),
                           ("email", pick(lang, "同一邮箱", "same e-mail"))):
            per_value = [c[1] if isinstance(c, tuple) and c[0] == kind else None for c in contact.parsed]
            k = pd.Series(contact.vals.rows(np.array(per_value, dtype=object)), index=contact.vals.index, dtype=object)
            self._dup(frame, "phone", k, what)

    def _dup(self, frame: Frame, key: str, keys: pd.Series, what: str) -> None:
        present = keys.dropna()
        if present.empty:
            return
        # codes in order of first appearance: each row's first occurrence is where its code first appears
        codes = pd.factorize(present.to_numpy(dtype=object))[0]
        head = np.unique(codes, return_index=True)[1][codes]
        later = head != np.arange(len(codes))
        rows = present.index.to_numpy()
        mask = keys.index.isin(rows[later])
        first_row = np.zeros(len(keys), dtype=object)  # (only read where `mask`: the row each duplicates)
        first_row[keys.index.get_indexer(rows[later])] = [int(r) for r in rows[head[later]]]
        self.emit(frame, key, "duplicate", mask, self.raw(frame.sheet.key, key), row=first_row, what=what)

    def _entry_lag(self, frame: Frame) -> None:
        first, entered = self.get("customers", "first_contact"), self.get("customers", "entered_on")
        if first is None or entered is None:
            return
        hours = self.ctx.settings.entry_lag_hours
        days = math.ceil(hours / 24)
        late = np.zeros(len(first), dtype=bool)
        shown = np.full(len(first), "", dtype=object)
        midnight = dt.time(0)
        for i, (f, e) in enumerate(zip(first.to_numpy(), entered.to_numpy(), strict=True)):
            if f is None or e is None:
                continue
            if f.time() != midnight and e.time() != midnight:
                late[i] = (e - f) > dt.timedelta(hours=hours)
            else:
                late[i] = (e.date() - f.date()).days > days
            if late[i]:
                shown[i] = brief(f)
        self.emit(frame, "entered_on", "entry_lag", late, self.raw("customers", "entered_on"),
                  first=shown, hours=hours)

    def _status(self) -> pd.Series | None:
        return self.get("customers", "status")

    def _verification(self, frame: Frame) -> None:
        cells = self.cols.get(("customers", "verified_on"))
        if cells is None:
            return
        days = self.ctx.settings.verify_age_days
        cutoff = self.ctx.today - dt.timedelta(days=days)
        old = cells.vals.rows(np.array([p is not None and p.date() < cutoff for p in cells.parsed], dtype=bool))
        status = self._status()
        if status is not None:  # weekly re-verification is for leads: won and lost accounts are skipped
            old &= ~status.isin(["won", "lost"]).to_numpy()
        self.emit(frame, "verified_on", "verification_old", old, cells.vals.raw, days=days)

    def _lost(self, frame: Frame) -> None:
        status = self._status()
        if status is None:
            return
        lost = (status == "lost").to_numpy()
        for key, code in (("lost_reason", "lost_without_reason"), ("lost_on", "lost_without_date")):
            cells = self.cols.get(("customers", key))
            if cells is not None:
                self.emit(frame, key, code, lost & cells.blank_rows(), cells.vals.raw)

    def _won_without_conversion(self, customers: Frame, names: pd.Series, conversions: Frame,
                                conv_names: pd.Series) -> None:
        status = self._status()
        if status is None:
            return
        won = (status == "won").to_numpy() & names.notna().to_numpy()
        missing = won & ~names.isin(set(conv_names.dropna())).to_numpy()
        self.emit(customers, "status", "won_without_conversion", missing, self.raw("customers", "status"),
                  sheet=conversions.sheet_name)

    def _owner_mismatch(self, customers: Frame, names: pd.Series, followups: Frame,
                        fu_names: pd.Series) -> None:
        """The customer's row is found by its exact name first (so a duplicate spelled differently keeps
        its own owner), else by the normalised name. Worked out per distinct follow-up customer and owner."""
        own_cells, fu_cells = self.cols.get(("customers", "owner")), self.cols.get(("followups", "owner"))
        if own_cells is None or fu_cells is None:
            return
        present = np.flatnonzero(names.notna().to_numpy())
        first = {}  # "=" + strict link / "~" + normalised name → the first Customers row (position) with it
        for prefix, keys in (("~", names.to_numpy()), ("=", self.links["customers"].to_numpy())):
            first.update((prefix + k, i) for k, i in zip(keys[present[::-1]], present[::-1], strict=True))
        keys_u, links_u = self.unique_keys["followups"]
        hits_u = np.array([-1 if key is None else first.get("=" + link, first.get("~" + key, -1))
                           for key, link in zip(keys_u, links_u, strict=True)], dtype=np.int64)
        # folded owners numbered: the customer's (per Customers row) and the follow-up's (per row)
        numbers: dict[str, int] = {}
        found = hits_u >= 0
        expected = np.full(len(hits_u), -1, dtype=np.int64)
        expected[found] = self._owner_numbers(own_cells, numbers)[hits_u[found]]
        vals = self.cols[("followups", "customer")].vals
        expected, actual = vals.rows(expected), self._owner_numbers(fu_cells, numbers)
        differ = (expected >= 0) & (actual >= 0) & (expected != actual)
        shown_u = np.full(len(hits_u), "", dtype=object)
        for u in np.unique(vals.codes[differ]):  # (the distinct customers with a mismatch)
            shown_u[u] = brief(own_cells.vals.raw[hits_u[u]])
        self.emit(followups, "owner", "owner_mismatch", differ, fu_cells.vals.raw, expected=vals.rows(shown_u),
                  sheet=customers.sheet_name)

    @staticmethod
    def _owner_numbers(cells: Cells, numbers: dict[str, int]) -> np.ndarray:
        """Per row, the number of its folded owner in `numbers` (added when new; -1: blank or invalid)."""
        per_value = [-1 if p is None else numbers.setdefault(fold(p), len(numbers)) for p in cells.parsed]
        return cells.vals.rows(np.array(per_value, dtype=np.int64))

    def _conversion_not_won(self, customers: Frame, names: pd.Series, conversions: Frame,
                            conv_names: pd.Series) -> None:
        """Worked out per distinct conversion customer: its name is on Customers, never as won."""
        status = self._status()
        if status is None:
            return
        present = np.flatnonzero(names.notna().to_numpy())
        keys, codes = names.to_numpy()[present], status.to_numpy()[present]
        won = set(keys[codes == "won"])
        first_status = dict(zip(keys[::-1], codes[::-1], strict=True))  # (the first row of each name)
        blank = pick(self.lang, "空", "blank")
        keys_u = self.unique_keys["conversions"][0]
        not_won_u = np.array([k is not None and k in first_status and k not in won for k in keys_u], dtype=bool)
        shown_u = np.array([STATUS.label(first_status[k], self.lang) or blank if n else ""
                            for k, n in zip(keys_u, not_won_u, strict=True)], dtype=object)
        vals = self.cols[("conversions", "customer")].vals
        self.emit(conversions, "customer", "conversion_not_won", vals.rows(not_won_u),
                  self.raw("conversions", "customer"), status=vals.rows(shown_u), sheet=customers.sheet_name)
