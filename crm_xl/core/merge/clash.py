"""撞单: two reps working the same customer — the same normalised name (simplified and traditional alike,
company suffixes aside), phone, e-mail or WeChat ID on Customers rows merged from two different source
files (来源文件). Rows typed into the team workbook (no source) and rows of one source are never a clash
(a repeat within one source is a `duplicate`).

Each clash pairs the first row of a key with the first row of every other source sharing it, and tells both
owners, their first-contact dates, their first signing and each one's last follow-up (the follow-ups of the
same source naming that customer). Who keeps the customer follows Settings `撞单归属` (clash_rule):
`contact` the earlier first contact (default), `signing` the earlier first conversion (else the earlier
contact), `manager` nobody — the manager decides. A tie or a missing date leaves it to the manager too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ...model.format import date_text
from ...model.frame import Frames
from ...model.i18n import Lang, pick
from ...model.parse import is_blank, parse_date
from ...model.settings import Settings
from ..kernel.memo import memo
from ..validation.contacts import first_of, parse_contacts
from ..validation.names import dedupe_key

CLASH_COLUMNS = ["row_a", "row_b", "what", "source_a", "source_b", "owner_a", "owner_b", "first_a", "first_b",
                 "signed_a", "signed_b", "last_a", "last_b", "keeper"]
KINDS = ("name", "phone", "email", "wechat")


def clashes(frames: Frames, settings: Settings) -> pd.DataFrame:
    """One row per clash (CLASH_COLUMNS): the two Customers rows (row_a the earlier in the sheet), what they
    share (KINDS), per side source, owner, first contact, first signing and last follow-up (dates or None),
    and `keeper` ('a', 'b', or None when the manager decides). Worked out once a run (validation and Today
    both show them)."""
    reads = {"customers": ("customer", "phone", "wechat", "owner", "first_contact", "source_file"),
             "followups": ("customer", "date", "source_file"), "conversions": ("customer", "date", "source_file")}
    return memo(frames, reads, ("clashes", settings.clash_rule), lambda: _clashes(frames, settings), uses=settings)


def _clashes(frames: Frames, settings: Settings) -> pd.DataFrame:
    customers = frames.customers
    if customers is None or "source_file" not in customers.cols:
        return pd.DataFrame(columns=CLASH_COLUMNS)
    data = customers.data
    source = _texts(data["source_file"].tolist())
    if len({s for s in source if s}) < 2:
        return pd.DataFrame(columns=CLASH_COLUMNS)
    rows = data.index.tolist()
    names = data["customer"].tolist()
    pairs = _pairs(source, _keys(source, names, data["phone"].tolist(), data["wechat"].tolist()))
    if not pairs:
        return pd.DataFrame(columns=CLASH_COLUMNS)
    sides = {(source[i], dedupe_key(names[i])) for pair in pairs for i in pair}
    last = _by_source(frames, "followups", max, sides)
    signed = _by_source(frames, "conversions", min, sides)
    owners, firsts = data["owner"].tolist(), data["first_contact"].tolist()
    out = []
    for (a, b), what in sorted(pairs.items()):
        side = {}
        for tag, i in (("a", a), ("b", b)):
            key = (source[i], dedupe_key(names[i]))
            side |= {f"source_{tag}": source[i], f"owner_{tag}": _text(owners[i]) or source[i],
                     f"first_{tag}": _day(firsts[i]), f"signed_{tag}": signed.get(key), f"last_{tag}": last.get(key)}
        out.append({"row_a": rows[a], "row_b": rows[b], "what": tuple(sorted(what, key=KINDS.index)), **side,
                    "keeper": keeper(side, settings.clash_rule)})
    return pd.DataFrame(out, columns=CLASH_COLUMNS)


def _keys(source: list[str], names: list[Any], phones: list[Any], wechats: list[Any]) -> dict[tuple[str, str], list[int]]:
    """(kind, key) → the positions of the rows with a source that have it, in sheet order: the normalised name,
    and the first phone, e-mail and WeChat ID (of the contact cell, else of the WeChat cell; the other way round
    for WeChat)."""
    keys: dict[tuple[str, str], list[int]] = {}
    by_phone, by_wechat = _firsts(phones), _firsts(wechats)
    name_key: dict[str, str | None] = {}
    for i, src in enumerate(source):
        if not src:
            continue
        name = names[i]
        if name.__class__ is str:
            key = name_key.get(name, _UNSEEN)
            if key is _UNSEEN:
                key = name_key[name] = dedupe_key(name)
        else:
            key = dedupe_key(name)
        c, w = by_phone[i], by_wechat[i]
        for kind, found in (("name", key), ("phone", c[0] or w[0]), ("email", c[1] or w[1]), ("wechat", w[2] or c[2])):
            if found:
                keys.setdefault((kind, found), []).append(i)
    return keys


def _pairs(source: list[str], keys: dict[tuple[str, str], list[int]]) -> dict[tuple[int, int], list[str]]:
    """(first row of a key, a row of another source sharing it) → what they share."""
    pairs: dict[tuple[int, int], list[str]] = {}
    for (kind, _), at in keys.items():
        if len(at) < 2:
            continue
        first = at[0]
        seen = {source[first]}
        for j in at[1:]:
            if source[j] not in seen:
                seen.add(source[j])
                what = pairs.setdefault((first, j), [])
                if kind not in what:
                    what.append(kind)
    return pairs


_NONE3 = (None, None, None)
_UNSEEN = object()


def _firsts(values: list[Any]) -> list[tuple[Any, Any, Any]]:
    """The first phone, e-mail and WeChat ID (`first_of`) of each cell's contacts, worked out once per distinct
    text."""
    out = []
    for contacts in _contacts(values):
        out.append(_NONE3 if not contacts else tuple(first_of(contacts, kind) for kind in ("phone", "email", "wechat")))
    return out


def _texts(values: list[Any]) -> list[str]:
    """`_text` of each cell, worked out once per distinct text."""
    seen: dict[str, str] = {}
    out = []
    for v in values:
        if v.__class__ is str:
            got = seen.get(v)
            if got is None:
                got = seen[v] = _text(v)
            out.append(got)
        else:
            out.append(_text(v))
    return out


def _contacts(values: list[Any]) -> list[Any]:
    """parse_contacts of each cell, worked out once per distinct text."""
    seen: dict[Any, Any] = {}
    out = []
    for v in values:
        if is_blank(v):
            out.append(None)
            continue
        try:
            got = seen[v] if v in seen else seen.setdefault(v, parse_contacts(v))
        except TypeError:  # (unhashable)
            got = parse_contacts(v)
        out.append(got)
    return out


def keeper(side: dict[str, Any], rule: str) -> str | None:
    """'a' or 'b', whoever keeps the customer under `rule`; None when the manager decides."""
    if rule == "manager":
        return None
    if rule == "signing" and (side["signed_a"] or side["signed_b"]):
        return _earlier(side["signed_a"], side["signed_b"])
    return _earlier(side["first_a"], side["first_b"])


def _earlier(a: dt.date | None, b: dt.date | None) -> str | None:
    if a is None or b is None:
        return "a" if b is None and a is not None else "b" if a is None and b is not None else None
    return "a" if a < b else "b" if b < a else None


def _by_source(frames: Frames, sheet: str, pick_one: Any, wanted: set[tuple[str, str | None]],
               ) -> dict[tuple[str, str | None], dt.date]:
    """(source, customer name key) → the latest (max) or earliest (min) date on `sheet`'s rows of that source, for
    the keys `wanted`."""
    frame = frames.get(sheet)
    out: dict[tuple[str, str | None], dt.date] = {}
    if frame is None or "source_file" not in frame.cols:
        return out
    d = frame.data
    sources = {s for s, _ in wanted}
    for src, name, when in zip(_texts(d["source_file"].tolist()), d["customer"].tolist(), d["date"].tolist(),
                               strict=True):
        if src not in sources:
            continue
        key = (src, dedupe_key(name))
        if key not in wanted:
            continue
        day = _day(when)
        if day is not None:
            out[key] = day if key not in out else pick_one(out[key], day)
    return out


def _day(value: Any) -> dt.date | None:
    parsed = parse_date(value) if not is_blank(value) else None
    return parsed.date() if isinstance(parsed, dt.datetime) else parsed


def _text(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip()


# --- words ------------------------------------------------------------------------------------------

_WHAT = {"name": ("同一名称", "same name"), "phone": ("同一电话", "same phone"), "email": ("同一邮箱", "same e-mail"),
         "wechat": ("同一微信", "same WeChat ID")}


def what_text(what: tuple[str, ...], lang: Lang) -> str:
    return pick(lang, "、", ", ").join(pick(lang, *_WHAT[k]) for k in what)


def side_text(clash: dict[str, Any], tag: str, lang: Lang) -> str:
    """`小王（wang.xlsx）首次接触 2024-03-01，最近跟进 2024-03-20`."""
    none = pick(lang, "无", "none")
    first, last = clash[f"first_{tag}"], clash[f"last_{tag}"]
    text = pick(lang, "{owner}（{source}）首次接触 {first}，最近跟进 {last}",
                "{owner} ({source}) first contact {first}, last follow-up {last}").format(
        owner=clash[f"owner_{tag}"], source=clash[f"source_{tag}"], first=date_text(first) if first else none,
        last=date_text(last) if last else none)
    if clash[f"signed_{tag}"]:
        text += pick(lang, "，签约 {day}", ", signed {day}").format(day=date_text(clash[f"signed_{tag}"]))
    return text


def verdict_text(clash: dict[str, Any], rule: str, lang: Lang) -> str:
    """Who keeps the customer, and why (`按先接触归 小王`), or that the manager decides."""
    tag = clash["keeper"]
    if tag is None:
        return pick(lang, "请主管裁定归属", "the manager decides who keeps it")
    why = pick(lang, {"contact": "先接触", "signing": "先签约"}[rule] if rule != "signing" or clash["signed_a"]
               or clash["signed_b"] else "先接触",
               {"contact": "earlier contact", "signing": "earlier signing"}[rule] if rule != "signing"
               or clash["signed_a"] or clash["signed_b"] else "earlier contact")
    return pick(lang, "按{why}归 {owner}", "{owner} keeps it ({why})").format(why=why, owner=clash[f"owner_{tag}"])


def clash_text(clash: dict[str, Any], rule: str, lang: Lang) -> str:
    """The whole story of one clash, for the Issues sheet and Today."""
    return pick(lang, "撞单（{what}）：{a}；{b}；{verdict}", "clash ({what}): {a}; {b}; {verdict}").format(
        what=what_text(clash["what"], lang), a=side_text(clash, "a", lang), b=side_text(clash, "b", lang),
        verdict=verdict_text(clash, rule, lang))
