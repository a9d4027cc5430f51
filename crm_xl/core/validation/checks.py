"""The checks: cell rules per column (by Kind), then row and cross-sheet rules. Collects Issue records."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from ...frame import Frame
from ...i18n import Lang, fold, pick
from ...parse import (
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
from ...schema import ENUMS, STATUS, Column, Kind
from ..context import Context
from .names import customer_key
from .rules import PAST_DATES, RULES
from .values import Values, brief

MIN_YEAR = 1980  # earlier dates in a CRM are typos (or small numbers read as Excel serials)
REFERRING = ("followups", "tierlog", "conversions")


def _wrong_type(value: Any) -> bool:
    """A date/time or TRUE/FALSE where text is expected."""
    return isinstance(value, bool | np.bool_ | dt.date | dt.time)


def _when(value: Any) -> dt.datetime | None:
    stamp = parse_datetime(value)
    if stamp is None or stamp.year < MIN_YEAR:
        return None
    return stamp


def _allowed(items: list[str], lang: Lang, limit: int = 8) -> str:
    sep = pick(lang, "、", ", ")
    shown = sep.join(items[:limit])
    return shown + ("…" if len(items) > limit else "")


class Checker:
    """Runs every rule over the frames of a Context and collects the issues found."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.lang: Lang = ctx.lang
        self.records: dict[str, list[Any]] = {k: [] for k in
                                               ("sheet", "row", "col", "key", "rule", "value", "message")}
        self.parsed: dict[tuple[str, str], pd.Series] = {}  # valid parsed values (None elsewhere)
        self.blank: dict[tuple[str, str], pd.Series] = {}
        self.raw: dict[tuple[str, str], np.ndarray] = {}

    # --- recording ---------------------------------------------------------------------------------

    def emit(self, frame: Frame, key: str, code: str, mask: np.ndarray, raw: np.ndarray,
             **fields: Any) -> None:
        """One issue per True in `mask`. A field given as an array is taken row by row; `shown`
        replaces the value quoted in the message."""
        where = np.flatnonzero(mask)
        if not len(where):
            return
        rule = RULES[code]
        col = frame.data.attrs.get("headers", {}).get(key) or frame.header(key)
        rows = frame.data.index.to_numpy()
        r = self.records
        template = pick(self.lang, rule.hans, rule.en)
        for i in where:
            values = {k: (v[i] if isinstance(v, np.ndarray) else v) for k, v in fields.items()}
            shown = values.pop("shown", raw[i])
            r["message"].append(template.format(col=col, value=brief(shown), **values))
            r["sheet"].append(frame.sheet.key)
            r["row"].append(int(rows[i]))
            r["col"].append(frame.cols.get(key, 0))
            r["key"].append(key)
            r["rule"].append(code)
            r["value"].append(raw[i])

    # --- cell rules --------------------------------------------------------------------------------

    def cells(self, frame: Frame) -> None:
        for column in frame.sheet.input_columns:
            if frame.has(column.key):
                self._column(frame, column)

    def _column(self, frame: Frame, column: Column) -> None:
        key, sheet = column.key, frame.sheet.key
        vals = Values(frame.data[key])
        raw = vals.raw
        blank = vals.test(is_blank)
        error = vals.test(is_error)
        filled = ~blank & ~error
        self.emit(frame, key, "cell_error", error, raw)
        if column.required:
            self.emit(frame, key, "required", blank, raw)
        parsed, ok = self._parse(frame, column, vals, filled)
        self.parsed[(sheet, key)] = pd.Series(np.where(ok, parsed, None), index=vals.index, dtype=object)
        self.blank[(sheet, key)] = pd.Series(blank, index=vals.index)
        self.raw[(sheet, key)] = raw

    def _parse(self, frame: Frame, column: Column, vals: Values,
               filled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Check a column's filled cells by kind; (parsed values, mask of valid cells)."""
        key, kind, raw, lang = column.key, column.kind, vals.raw, self.lang
        settings = self.ctx.settings
        if kind in (Kind.DATE, Kind.DATETIME):
            parsed = vals.map(_when)
            ok = filled & (parsed != None)  # noqa: E711 — elementwise on an object array
            self.emit(frame, key, "bad_date", filled & ~ok, raw)
            if (frame.sheet.key, key) in PAST_DATES:
                today = self.ctx.today
                future = ok & vals.map(lambda v: (s := _when(v)) is not None and s.date() > today).astype(bool)
                self.emit(frame, key, "future_date", future, raw, today=today.isoformat())
            return parsed, ok
        if kind == Kind.AMOUNT:
            parsed = vals.map(parse_amount)
            ok = filled & (parsed != None)  # noqa: E711
            self.emit(frame, key, "bad_amount", filled & ~ok, raw)
            positive = vals.map(lambda v: (a := parse_amount(v)) is not None and a > 0).astype(bool)
            self.emit(frame, key, "amount_not_positive", ok & ~positive, raw)
            return parsed, ok & positive
        if kind == Kind.BUDGET:
            parsed = vals.map(parse_budget)
            ok = filled & (parsed != None)  # noqa: E711
            self.emit(frame, key, "bad_budget", filled & ~ok, raw)
            return parsed, ok
        if kind == Kind.INT:
            parsed = vals.map(lambda v: n if (n := parse_int(v)) is not None and -100 <= n <= 100 else None)
            ok = filled & (parsed != None)  # noqa: E711
            self.emit(frame, key, "bad_nps" if key == "nps" else "bad_type", filled & ~ok, raw,
                      expected=pick(lang, "整数", "a whole number"))
            return parsed, ok
        if kind == Kind.NUMBER:
            parsed = vals.map(parse_number)
            ok = filled & (parsed != None)  # noqa: E711
            self.emit(frame, key, "bad_type", filled & ~ok, raw, expected=pick(lang, "数字", "a number"))
            return parsed, ok
        if kind == Kind.CHOICE:
            enum = ENUMS[column.enum or ""]
            parsed = vals.map(enum.parse)
            ok = filled & (parsed != None)  # noqa: E711
            self.emit(frame, key, "not_in_list", filled & ~ok, raw, allowed=_allowed(enum.labels(lang), lang))
            return parsed, ok
        # text-like kinds: a date or TRUE/FALSE is the wrong type
        wrong = filled & vals.test(_wrong_type)
        self.emit(frame, key, "bad_type", wrong, raw, expected=pick(lang, "文本", "text"))
        ok = filled & ~wrong
        if kind == Kind.PHONE:
            parsed = vals.map(parse_contact)
            bad = ok & (parsed == None)  # noqa: E711
            email = vals.test(lambda v: "@" in norm(v))
            self.emit(frame, key, "bad_email", bad & email, raw)
            self.emit(frame, key, "bad_phone", bad & ~email, raw)
            return parsed, ok & ~bad
        if kind == Kind.LIST and column.list and getattr(settings, column.list):
            name = column.list
            parsed = vals.map(lambda v: settings.in_list(name, v))
            bad = ok & (parsed == None)  # noqa: E711
            self.emit(frame, key, "not_in_list", bad, raw,
                      allowed=_allowed(list(getattr(settings, name)), lang))
            return parsed, ok & ~bad
        if kind == Kind.TAGS and column.list and getattr(settings, column.list):
            name = column.list
            unknown = vals.map(lambda v: [t for t in parse_tags(v) if settings.in_list(name, t) is None])
            has = ok & np.fromiter((bool(u) for u in unknown), dtype=bool, count=len(unknown))
            shown = np.array([pick(lang, "、", ", ").join(u) if u else "" for u in unknown], dtype=object)
            self.emit(frame, key, "unknown_tag", has, raw, shown=shown)
            return vals.map(parse_tags), ok
        if kind == Kind.TAGS:
            return vals.map(parse_tags), ok
        return vals.map(norm), ok

    # --- row and cross-sheet rules -----------------------------------------------------------------

    def get(self, sheet: str, key: str) -> pd.Series | None:
        return self.parsed.get((sheet, key))

    def customer_keys(self, frame: Frame) -> pd.Series:
        """Normalised customer name per row (None where the cell is blank or invalid)."""
        names = self.parsed[(frame.sheet.key, "customer")]
        return pd.Series(Values(names).map(customer_key), index=names.index, dtype=object)

    def rows(self) -> None:
        frames = self.ctx.frames
        keys = {f.sheet.key: self.customer_keys(f) for f in frames.present()}
        customers = frames.customers
        if customers is not None:
            self._duplicates(customers, keys["customers"])
            self._entry_lag(customers)
            self._verification(customers)
            self._lost(customers)
            if frames.conversions is not None:
                self._won_without_conversion(customers, keys["customers"], frames.conversions,
                                             keys["conversions"])
            known = set(keys["customers"].dropna())
            for sheet in REFERRING:
                frame = frames.get(sheet)
                if frame is not None:
                    k = keys[sheet]
                    missing = (k.notna() & ~k.isin(known)).to_numpy()
                    self.emit(frame, "customer", "unknown_customer", missing, self.raw[(sheet, "customer")],
                              sheet=customers.sheet_name)
            if frames.followups is not None:
                self._owner_mismatch(customers, keys["customers"], frames.followups, keys["followups"])
            if frames.conversions is not None:
                self._conversion_not_won(customers, keys["customers"], frames.conversions, keys["conversions"])

    def _duplicates(self, frame: Frame, names: pd.Series) -> None:
        lang = self.lang
        self._dup(frame, "customer", names, pick(lang, "同一名称", "same name"))
        contact = self.get("customers", "phone")
        if contact is None:
            return
        for kind, what in (("phone", pick(lang, "同一电话", "same phone")),
                           ("email", pick(lang, "同一邮箱", "same e-mail"))):
            k = contact.map(lambda c, kind=kind: c[1] if isinstance(c, tuple) and c[0] == kind else None)
            self._dup(frame, "phone", k, what)

    def _dup(self, frame: Frame, key: str, keys: pd.Series, what: str) -> None:
        present = keys.dropna()
        if present.empty:
            return
        rows = pd.Series(present.index, index=present.index)
        first = rows.groupby(present.to_numpy()).transform("first")
        later = present.duplicated(keep="first")
        mask = keys.index.isin(later[later].index)
        first_row = first.reindex(keys.index).to_numpy()
        self.emit(frame, key, "duplicate", mask, self.raw[(frame.sheet.key, key)],
                  row=np.array([int(v) if v == v else 0 for v in first_row], dtype=object), what=what)

    def _entry_lag(self, frame: Frame) -> None:
        first, entered = self.get("customers", "first_contact"), self.get("customers", "entered_on")
        if first is None or entered is None:
            return
        hours = self.ctx.settings.entry_lag_hours
        days = math.ceil(hours / 24)
        late = np.zeros(len(first), dtype=bool)
        for i, (f, e) in enumerate(zip(first.to_numpy(), entered.to_numpy(), strict=True)):
            if f is None or e is None:
                continue
            if f.time() != dt.time(0) and e.time() != dt.time(0):
                late[i] = (e - f) > dt.timedelta(hours=hours)
            else:
                late[i] = (e.date() - f.date()).days > days
        shown_first = np.array([f.strftime("%Y-%m-%d") if f is not None else "" for f in first.to_numpy()],
                               dtype=object) if late.any() else ""
        self.emit(frame, "entered_on", "entry_lag", late, self.raw[("customers", "entered_on")],
                  first=shown_first, hours=hours)

    def _status(self) -> pd.Series | None:
        return self.get("customers", "status")

    def _verification(self, frame: Frame) -> None:
        verified = self.get("customers", "verified_on")
        if verified is None:
            return
        days = self.ctx.settings.verify_age_days
        cutoff = self.ctx.today - dt.timedelta(days=days)
        old = verified.map(lambda v: v is not None and v.date() < cutoff).to_numpy(dtype=bool)
        status = self._status()
        if status is not None:
            old &= (status != "lost").to_numpy()
        self.emit(frame, "verified_on", "verification_old", old, self.raw[("customers", "verified_on")],
                  days=days)

    def _lost(self, frame: Frame) -> None:
        status = self._status()
        if status is None:
            return
        lost = (status == "lost").to_numpy()
        for key, code in (("lost_reason", "lost_without_reason"), ("lost_on", "lost_without_date")):
            blank = self.blank.get(("customers", key))
            if blank is not None:
                self.emit(frame, key, code, lost & blank.to_numpy(), self.raw[("customers", key)])

    def _won_without_conversion(self, customers: Frame, names: pd.Series, conversions: Frame,
                                conv_names: pd.Series) -> None:
        status = self._status()
        if status is None:
            return
        won = (status == "won").to_numpy() & names.notna().to_numpy()
        missing = won & ~names.isin(set(conv_names.dropna())).to_numpy()
        self.emit(customers, "status", "won_without_conversion", missing, self.raw[("customers", "status")],
                  sheet=conversions.sheet_name)

    def _owner_mismatch(self, customers: Frame, names: pd.Series, followups: Frame,
                        fu_names: pd.Series) -> None:
        owner, fu_owner = self.get("customers", "owner"), self.get("followups", "owner")
        if owner is None or fu_owner is None:
            return
        raw_owner = pd.Series(self.raw[("customers", "owner")], index=owner.index)
        table = pd.DataFrame({"name": names, "owner": owner, "raw": raw_owner}).dropna(subset=["name"])
        table = table.drop_duplicates("name").dropna(subset=["owner"])
        expected_raw = fu_names.map(dict(zip(table["name"], table["raw"], strict=True)))
        expected = fu_names.map(dict(zip(table["name"], table["owner"].map(fold), strict=True)))
        actual = fu_owner.map(lambda v: fold(v) if v is not None else None)
        differ = (expected.notna() & actual.notna() & (expected != actual)).to_numpy()
        self.emit(followups, "owner", "owner_mismatch", differ, self.raw[("followups", "owner")],
                  expected=expected_raw.map(brief).to_numpy(dtype=object), sheet=customers.sheet_name)

    def _conversion_not_won(self, customers: Frame, names: pd.Series, conversions: Frame,
                            conv_names: pd.Series) -> None:
        status = self._status()
        if status is None:
            return
        table = pd.DataFrame({"name": names, "won": status == "won", "status": status}).dropna(subset=["name"])
        won = table.groupby("name")["won"].any()
        first_status = table.drop_duplicates("name").set_index("name")["status"]
        won_map = won.to_dict()
        not_won = conv_names.map(lambda k: k is not None and k in won_map and not won_map[k]).astype(bool)
        blank = pick(self.lang, "空", "blank")
        shown = conv_names.map(first_status).map(lambda c: STATUS.label(c, self.lang) if isinstance(c, str) else blank)
        self.emit(conversions, "customer", "conversion_not_won", not_won.to_numpy(),
                  self.raw[("conversions", "customer")], status=shown.to_numpy(dtype=object),
                  sheet=customers.sheet_name)
