"""Contact cells as the toolkit's 聯繫方式 (企業微信/電話) holds them: a phone, an e-mail or a WeChat ID.

A cell may hold several contacts (`13800138000 / 微信：zhang_san`), each labelled or not (`电话：…`,
`微信：…`, `企业微信：…`, `WeChat: …`), a phone may carry a note in brackets (`021-80932326（微信同号）`)
or an extension (`138 0013 8000 转 8`). Every part must be a contact for the cell to be valid.
"""

from __future__ import annotations

import re
from typing import Any

from ...model.parse import is_blank, is_email, norm, normalize_phone

Contact = tuple[str, str]  # (kind: phone / email / wechat, key: digits, lower-case address or lower-case ID)

# separators between contacts in one cell (never inside a phone, an e-mail or a WeChat ID)
_SPLIT = re.compile(r"\s*[/／;；,，、|\n]+\s*")
# a label before a contact: 电话：, 手机:, 微信号：, 企业微信: , WeChat: , wx: , Tel: , E-mail: …
_LABEL = re.compile(
    r"^(?:(?P<cjk>企业微信号?|企業微信號?|微信号?|微信號|电话|電話|手机|手機|座机|座機|固话|固話|邮箱|郵箱|电子邮件|電子郵件)"
    r"\s*[:：]?|(?P<latin>wechat(?:\s*id)?|weixin|vx|wx|tel|mobile|phone|cell|e-?mail)(?:\s*[:：]|\s+))\s*(?=\S)",
    re.I)
_WECHAT_LABELS = re.compile(r"微信|wechat|weixin|^vx$|^wx$", re.I)
# a note in brackets after a phone: （微信同号）, (office), （转 8 不通时）
_NOTE = re.compile(r"\s*[(（【\[][^()（）【】\[\]]*[)）】\]]\s*$")
# a trailing note in words after a phone: 13800138000 微信同号
_WORD_NOTE = re.compile(r"^(?P<phone>[\d+\-\s().]{7,}?)\s*(?:微信同号|微信同號|同微信|微信)$")
# WeChat IDs: a system ID (wxid_…) or an account of 6–20 letters, digits, _ and -, starting with a letter
_WXID = re.compile(r"^wxid_[A-Za-z0-9_-]{1,40}$", re.I)
_ACCOUNT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{5,19}$")


def wechat_id(value: Any) -> str | None:
    """The lower-cased WeChat ID of a cell (`wxid_…` or a 6–20 character account), else None."""
    text = norm(value)
    if _WXID.match(text) or _ACCOUNT.match(text):
        return text.lower()
    return None


def _phone(text: str) -> str | None:
    """Digits of a phone, its note in brackets or words (微信同号) left out."""
    phone = normalize_phone(text)
    if phone is None:
        bare = _NOTE.sub("", text)
        if bare != text and bare:
            phone = normalize_phone(bare)
    if phone is None and (m := _WORD_NOTE.match(text)):
        phone = normalize_phone(m.group("phone"))
    return phone


def _one(part: str) -> Contact | None:
    """One contact: labelled or not."""
    label = ""
    if m := _LABEL.match(part):
        label, part = m.group("cjk") or m.group("latin"), part[m.end():].strip()
    if not part:
        return None
    if is_email(part):
        return None if _WECHAT_LABELS.search(label) else ("email", part.lower())
    phone = _phone(part)
    if phone is not None:
        return ("phone", phone)
    if label and not _WECHAT_LABELS.search(label):
        return None  # 电话：abc
    wechat = wechat_id(part)
    return ("wechat", wechat) if wechat else None


def parse_contacts(value: Any) -> tuple[Contact, ...] | None:
    """Every contact of a cell, in order; None when the cell is blank or any part is no contact."""
    if is_blank(value) or isinstance(value, bool):
        return None
    whole = _phone(norm(value)) if not isinstance(value, str) else None
    if whole is not None:  # a number typed as a number
        return (("phone", whole),)
    text = norm(value)
    if not text:
        return None
    one = _one(text)  # the common case: one contact (a phone with spaces or brackets stays whole)
    if one is not None:
        return (one,)
    parts = [p for p in _SPLIT.split(text) if p]
    if len(parts) < 2:
        return None
    found = [_one(p) for p in parts]
    if any(f is None for f in found):
        return None
    return tuple(f for f in found if f is not None)


def first_of(contacts: Any, kind: str) -> str | None:
    """The first contact of a kind in a parsed cell (None when it has none)."""
    if not contacts:
        return None
    return next((key for k, key in contacts if k == kind), None)
