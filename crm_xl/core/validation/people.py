"""The service-record rules on Customers' optional columns: 推荐人 / Referred by (`unknown_referrer`,
`self_referral`, `name_variant`), 主管 / Manager (`a_without_manager`) and 沟通偏好 / Contact preference
(`preference_mismatch`). Each runs only when its column is present; run by `RowChecks.rows`."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

from ...model.frame import Frame
from ...model.i18n import Lang, fold, pick
from ...model.parse import norm
from ..context import Context
from ..kernel.columns import factorized, parsed
from ..kernel.names import keys_of
from ..kernel.tierlog import known_tiers
from ..kernel.timeline import timeline
from .names import dedupe_key
from .values import Cells, brief


class RowChecks(Protocol):
    """What these rules use of the checker (rows.RowChecks, which calls them)."""

    ctx: Context
    lang: Lang
    cols: dict[tuple[str, str], Cells]

    def emit(self, frame: Frame, key: str, code: str, mask: np.ndarray, raw: np.ndarray,
             variant: str | None = None, **fields: Any) -> None: ...

    def raw(self, sheet: str, key: str) -> np.ndarray: ...

    def _known_names(self, names: pd.Series) -> tuple[set[str], set[str]]: ...

    def _status(self) -> pd.Series | None: ...

LAST = 3  # follow-ups looked at for the preference


def people_checks(chk: RowChecks, customers: Frame, names: pd.Series) -> None:
    """The three rules, each when its column is on the sheet (`names`: normalised name per row)."""
    if customers.has("referrer"):
        _referrers(chk, customers, names)
    if customers.has("manager"):
        _managers(chk, customers)
    if customers.has("preference"):
        _preferences(chk, customers)


def _referrers(chk: RowChecks, frame: Frame, names: pd.Series) -> None:
    """The referrer is a customer (up to company suffixes; `name_variant` when only so), not the row's own."""
    cells = chk.cols[("customers", "referrer")]
    vals = cells.vals
    filled = np.fromiter((p is not None and norm(p) != "" for p in cells.parsed), dtype=bool, count=len(vals.uniques))
    keys_u = np.array([dedupe_key(p) if f else None for p, f in zip(cells.parsed, filled, strict=True)], dtype=object)
    links_u = np.array(keys_of([norm(p) if f else "" for p, f in zip(cells.parsed, filled, strict=True)]),
                       dtype=object)
    known, linked = chk._known_names(names)
    found_u = np.fromiter((k is not None and k in known for k in keys_u), dtype=bool, count=len(keys_u))
    present = vals.rows(filled & (keys_u != None))  # noqa: E711 - elementwise
    own = present & (vals.rows(keys_u) == names.to_numpy(dtype=object))
    sheet = frame.sheet_name
    chk.emit(frame, "referrer", "unknown_referrer", present & ~vals.rows(found_u), vals.raw, sheet=sheet)
    chk.emit(frame, "referrer", "self_referral", own, vals.raw)
    strict_u = np.fromiter((k in linked for k in links_u), dtype=bool, count=len(links_u))
    variant = present & ~own & vals.rows(found_u & ~strict_u)
    if variant.any():
        spelled: dict[str, object] = {}
        for k, v in zip(names.to_numpy(), chk.raw("customers", "customer"), strict=True):
            if k is not None:
                spelled.setdefault(k, v)
        refs = vals.rows(keys_u)
        shown = np.full(len(refs), "", dtype=object)
        for i in np.flatnonzero(variant):
            shown[i] = brief(spelled[refs[i]])
        chk.emit(frame, "referrer", "name_variant", variant, vals.raw, expected=shown, sheet=sheet)


def _managers(chk: RowChecks, frame: Frame) -> None:
    """A tier A customer (锁定级别, else 当前级别, else its latest tier-log row up to today) that is not lost
    has a manager."""
    frames = chk.ctx.frames
    keys = parsed(frames, "customers", "customer", "key")
    tier = parsed(frames, "customers", "tier_override", "tier").fillna(known_tiers(frames, keys, chk.ctx.today))
    status = chk._status()
    lost = (status == "lost").to_numpy() if status is not None else np.zeros(len(keys), dtype=bool)
    cells = chk.cols[("customers", "manager")]
    chk.emit(frame, "manager", "a_without_manager", (tier == "A").to_numpy() & ~lost & cells.blank_rows(),
             cells.vals.raw)


def _preferences(chk: RowChecks, frame: Frame) -> None:
    """The last `LAST` follow-ups with a method (up to today) all used another channel than the preference.
    A channel is the Settings methods item a text names (any language), else the folded text."""
    frames, settings = chk.ctx.frames, chk.ctx.settings
    cells = chk.cols[("customers", "preference")]
    if frames.followups is None or not frames.followups.has("method"):
        return
    methods = settings.matcher("methods")

    def channel(text: str) -> str:
        return fold(methods(text) or text)

    line = timeline(frames)
    n = line.upto(pd.Timestamp(chk.ctx.today))
    codes, uniques = factorized(frames, "followups", "method")
    said = np.array([channel(norm(u)) for u in uniques] + [""], dtype=object)
    method = said[np.where(codes < 0, len(uniques), codes)][line.row[:n]]
    has = method != ""
    code, method = line.code[:n][has], method[has]
    # each key number's last LAST follow-ups with a method (timeline order is by date, then row)
    order = np.lexsort((np.arange(len(code)), code))
    code, method = code[order], method[order]
    rank = np.arange(len(code)) - np.searchsorted(code, code, side="left")  # nth of its key
    count = np.bincount(code, minlength=line.size)
    last = rank >= count[code] - LAST
    code, method = code[last], method[last]
    pref = cells.series().to_numpy(dtype=object)
    wanted = np.array([channel(norm(p)) if p is not None and norm(p) else "" for p in pref], dtype=object)
    mine = line.customers  # each Customers row's key number
    enough = (count[mine] >= LAST) & (wanted != "")
    if not enough.any():
        return
    starts = np.searchsorted(code, mine)
    shown = np.full(len(pref), "", dtype=object)
    miss = np.zeros(len(pref), dtype=bool)
    labels = {channel(norm(u)): norm(u) for u in uniques}
    sep = pick(chk.lang, "、", ", ")
    for i in np.flatnonzero(enough):
        used = method[starts[i]:starts[i] + LAST]
        if not (used == wanted[i]).any():
            miss[i] = True
            shown[i] = sep.join(labels.get(m, m) for m in used)
    chk.emit(frame, "preference", "preference_mismatch", miss, cells.vals.raw, methods=shown)
