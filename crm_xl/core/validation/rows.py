"""Row and cross-sheet rules (duplicates, references to unknown customers, entry lag, verification, lost and
won customers, owners): run by `Checker` after the cell rules, on the parsed cells those left."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from ...model.frame import Frame
from ...model.i18n import Lang, fold, pick
from ...model.schema import STATUS
from ..context import Context
from ..kernel.names import fold_ahead, keys_of
from ..merge.clash import clash_text, clashes
from .contacts import first_of
from .names import dedupe_key
from .people import people_checks
from .values import Cells, brief

REFERRING = ("followups", "tierlog", "conversions", "complaints", "surveys")
# a complaint's times that must not come before another's: (column, the earlier ones, the first filled one counts)
COMPLAINT_ORDER = (("confirmed", ("complained",)), ("first_solution", ("confirmed", "complained")),
                   ("solved", ("complained",)))


def _before(later: dt.datetime, earlier: dt.datetime) -> bool:
    """Whether `later` is before `earlier`; by date alone when either is a date without a time (midnight)."""
    if later.time() == dt.time(0) or earlier.time() == dt.time(0):
        return later.date() < earlier.date()
    return later < earlier


class RowChecks:
    """The row and cross-sheet rules of `Checker` (which records the issues: `emit`)."""

    ctx: Context
    lang: Lang
    cols: dict[tuple[str, str], Cells]
    links: dict[str, pd.Series]
    unique_keys: dict[str, tuple[np.ndarray, np.ndarray]]
    known: tuple[set[str], set[str]] | None

    def emit(self, frame: Frame, key: str, code: str, mask: np.ndarray, raw: np.ndarray,
             variant: str | None = None, **fields: Any) -> None:
        raise NotImplementedError


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
        if frames.complaints is not None:
            self._complaint_order(frames.complaints)
        customers = frames.customers
        if customers is None:
            return
        self._duplicates(customers, keys["customers"])
        self._clashes(customers)
        self._entry_lag(customers)
        self._verification(customers)
        self._lost(customers)
        for sheet in REFERRING:
            frame = frames.get(sheet)
            if frame is not None:
                self._references(customers, keys["customers"], frame, keys[sheet])
        if frames.followups is not None:
            self._owner_mismatch(customers, keys["customers"], frames.followups, keys["followups"])
        people_checks(self, customers, keys["customers"])  # (optional columns: referrer, manager, preference)
        if frames.conversions is not None:
            self._won_without_conversion(customers, keys["customers"], frames.conversions, keys["conversions"])
            self._conversion_not_won(customers, keys["customers"], frames.conversions, keys["conversions"])

    def _complaint_order(self, frame: Frame) -> None:
        """complaint_order: a time before the one it answers (confirmed before the complaint; first solution
        before the confirmation, else — no confirmation — the complaint; solved before the complaint).
        Reported on the later column's cell, naming the earlier one; whole days when either has no time."""
        for key, earlier in COMPLAINT_ORDER:
            late = self.get("complaints", key)
            if late is None:
                continue
            a = late.to_numpy()
            judged = np.zeros(len(a), dtype=bool)
            for other in earlier:
                first = self.get("complaints", other)
                if first is None:
                    continue
                b = first.to_numpy()
                has = np.fromiter((y is not None for y in b), dtype=bool, count=len(b)) & ~judged
                bad = has & np.fromiter((x is not None and y is not None and _before(x, y) for x, y in zip(a, b, strict=True)),
                                        dtype=bool, count=len(a))
                judged |= has
                self.emit(frame, key, "complaint_order", bad, self.raw("complaints", key),
                          other=frame.headers.get(other) or frame.header(other), other_value=self._dates_shown(first, bad))

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
        """Same name; same phone, e-mail or WeChat ID — each taken from the contact cell, else from the WeChat
        column (the first of its kind when a cell holds several)."""
        lang = self.lang
        self._dup(frame, "customer", names, pick(lang, "同一名称", "same name"))
        sources = [(key, cells) for key in ("phone", "wechat") if (cells := self.cols.get(("customers", key)))]
        if not sources:
            return
        index = sources[0][1].vals.index
        for kind, what in (("phone", pick(lang, "同一电话", "same phone")),
                           ("email", pick(lang, "同一邮箱", "same e-mail")),
                           ("wechat", pick(lang, "同一微信", "same WeChat ID"))):
            order = sources[::-1] if kind == "wechat" else sources  # a WeChat ID: the WeChat column first
            keys = np.full(len(index), None, dtype=object)
            came = np.full(len(index), "", dtype=object)
            for key, cells in order:
                per_value = np.array([first_of(c, kind) for c in cells.parsed], dtype=object)
                found = cells.vals.rows(per_value)
                fill = (keys == None) & (found != None)  # noqa: E711 - elementwise
                keys[fill], came[fill] = found[fill], key
            self._dup(frame, "phone", pd.Series(keys, index=index, dtype=object), what, came)

    def _dup(self, frame: Frame, key: str, keys: pd.Series, what: str, came: np.ndarray | None = None) -> None:
        """duplicate on each later row with the key of an earlier one; `came`: per row, the column its key was
        taken from (reported there), else `key`."""
        present = keys.dropna()
        if present.empty:
            return
        # codes in order of first appearance: each row's first occurrence is where its code first appears
        codes = pd.factorize(present.to_numpy(dtype=object))[0]
        head = np.unique(codes, return_index=True)[1][codes]
        later = head != np.arange(len(codes))
        rows = present.index.to_numpy()
        if "source_file" in frame.cols:  # (merged rows of two source files: a clash, reported by _clashes)
            src = frame.data["source_file"].reindex(rows).map(lambda v: "" if v is None else str(v).strip()).to_numpy()
            later &= ~((src != src[head]) & (src != "") & (src[head] != ""))
        mask = keys.index.isin(rows[later])
        first_row = np.zeros(len(keys), dtype=object)  # (only read where `mask`: the row each duplicates)
        first_row[keys.index.get_indexer(rows[later])] = [int(r) for r in rows[head[later]]]
        if came is None:
            self.emit(frame, key, "duplicate", mask, self.raw(frame.sheet.key, key), row=first_row, what=what)
            return
        for column in dict.fromkeys(came[mask].tolist()):
            self.emit(frame, column, "duplicate", mask & (came == column), self.raw(frame.sheet.key, column),
                      row=first_row, what=what)

    def _clashes(self, frame: Frame) -> None:
        """clash (撞单): on the later row of each pair of merged rows from two source files (core/merge/clash)."""
        found = clashes(self.ctx.frames, self.ctx.settings)
        raw, index = self.raw("customers", "customer"), frame.data.index
        todo = found.to_dict("records")
        while todo:  # (one issue per row and call: a row may clash with several)
            once = {c["row_b"]: c for c in todo}
            todo = [c for c in todo if once[c["row_b"]] is not c]
            at = index.get_indexer(list(once))
            mask, row, story = np.zeros(len(index), bool), np.zeros(len(index), object), np.zeros(len(index), object)
            mask[at] = True
            row[at] = [c["row_a"] for c in once.values()]
            story[at] = [clash_text(c, self.ctx.settings.clash_rule, self.lang)
                         for c in once.values()]
            self.emit(frame, "customer", "clash", mask, raw, row=row, story=story)

    def _entry_lag(self, frame: Frame) -> None:
        """Entered later than the lag after first contact; or not entered (blank) though first contact was more
        than the lag before today."""
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
        raw = self.raw("customers", "entered_on")
        self.emit(frame, "entered_on", "entry_lag", late, raw, first=shown, hours=hours)
        # not entered: judged in whole days (today has no time)
        blank = self.cols[("customers", "entered_on")].blank_rows()
        since = self._older_than(first, days)
        self.emit(frame, "entered_on", "entry_lag", blank & since, raw, variant="blank",
                  first=self._dates_shown(first, blank & since), hours=hours)

    def _older_than(self, dates: pd.Series, days: int) -> np.ndarray:
        """Per row: a date more than `days` days before today (False where blank or invalid)."""
        cutoff = self.ctx.today - dt.timedelta(days=days)
        return np.fromiter((d is not None and d.date() < cutoff for d in dates.to_numpy()), dtype=bool,
                           count=len(dates))

    @staticmethod
    def _dates_shown(dates: pd.Series, mask: np.ndarray) -> np.ndarray:
        shown = np.full(len(dates), "", dtype=object)
        values = dates.to_numpy()
        for i in np.flatnonzero(mask):
            shown[i] = brief(values[i])
        return shown

    def _status(self) -> pd.Series | None:
        return self.get("customers", "status")

    def _verification(self, frame: Frame) -> None:
        """Verified too long ago (leads); or never verified — blank — though first contact (else entry) was
        longer ago than the window (leads and won customers: their contact details are in use)."""
        cells = self.cols.get(("customers", "verified_on"))
        if cells is None:
            return
        days = self.ctx.settings.verify_age_days
        cutoff = self.ctx.today - dt.timedelta(days=days)
        old = cells.vals.rows(np.array([p is not None and p.date() < cutoff for p in cells.parsed], dtype=bool))
        status = self._status()
        codes = status.to_numpy() if status is not None else np.full(len(old), None, dtype=object)
        won, lost = codes == "won", codes == "lost"
        self.emit(frame, "verified_on", "verification_old", old & ~won & ~lost, cells.vals.raw, days=days)
        blank = cells.blank_rows() & ~lost
        for key, variant in (("first_contact", "blank"), ("entered_on", "blank_entered")):
            dates = self.get("customers", key)
            if dates is None:
                continue
            has = dates.notna().to_numpy()
            due = blank & has & self._older_than(dates, days)
            self.emit(frame, "verified_on", "verification_old", due, cells.vals.raw, variant=variant,
                      first=self._dates_shown(dates, due), days=days)
            blank &= ~has  # a row with a first-contact date is judged by it alone

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
