"""Languages of a workbook and text normalisation shared by headers, lists and names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

import opencc

Lang = Literal["zh-Hans", "zh-Hant", "en"]
LANGS: tuple[Lang, ...] = ("zh-Hans", "zh-Hant", "en")

_t2s = opencc.OpenCC("t2s")  # small (characters only): loaded at import


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    """Simplified → Taiwan traditional, with phrases (~40 MB): loaded the first time it is needed."""
    return opencc.OpenCC("s2tw")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold text for matching: full/half width, case, spaces, traditional → simplified."""
    return _t2s.convert(_prepare(text))


def _prepare(text: str) -> str:
    """The part of `fold` before OpenCC: NFKC width, case, trimmed, whitespace runs as one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(text)).casefold().strip())


def fold_many(texts: list[str]) -> list[str]:
    """`fold` of each text, with one OpenCC call for them all: the texts are converted joined by newlines,
    which a folded text never contains (whitespace runs become one space) and no dictionary phrase
    spans, so each comes back as `fold` gives it."""
    ready = [_prepare(t) for t in texts]
    if not ready:
        return []
    out = _t2s.convert("\n".join(ready)).split("\n")
    if len(out) != len(ready):  # (never expected) one by one instead
        return [_t2s.convert(t) for t in ready]
    return out


@lru_cache(maxsize=4096)
def to_hant(text: str) -> str:
    """Traditional Chinese form of a simplified Chinese text (used for messages)."""
    return _s2t().convert(text)


def pick(lang: Lang, hans: str, en: str, hant: str | None = None) -> str:
    """The text for `lang`; zh-Hant is derived from zh-Hans unless given explicitly."""
    if lang == "en":
        return en
    if lang == "zh-Hant":
        return hant if hant is not None else to_hant(hans)
    return hans


def detect_lang(texts: list[str]) -> Lang:
    """Guess the language of header texts: English, or simplified vs traditional Chinese."""
    han = [t for t in texts if t and re.search(r"[\u4e00-\u9fff]", str(t))]
    if not han:
        return "en"
    joined = "".join(str(t) for t in han)
    simplified = _t2s.convert(joined)
    diff_s = sum(a != b for a, b in zip(joined, simplified, strict=False))
    if not diff_s:  # nothing traditional in it
        return "zh-Hans"
    traditional = _s2t().convert(joined)
    diff_t = sum(a != b for a, b in zip(joined, traditional, strict=False))
    return "zh-Hant" if diff_s > diff_t else "zh-Hans"
