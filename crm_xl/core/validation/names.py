"""Customer-name normalisation for duplicates and cross-sheet references (looser than
`crm_xl.core.kernel.names.customer_key`, which the other jobs use to link rows: it also drops company suffixes
and punctuation)."""

from __future__ import annotations

import re
from functools import lru_cache

from ...model.parse import is_blank, is_error, norm
from ..kernel.names import folded as fold_once

# Chinese company suffixes (simplified: fold() turns traditional into simplified first), longest first.
_CJK_SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "集团", "股份", "公司")
# Latin suffixes, matched as whole words at the end (so "Taco" keeps its "co").
_LATIN_SUFFIX = re.compile(
    r"(?<![a-z0-9])(?:co[\s.,]*ltd|company\s+limited|limited|ltd|inc|incorporated|llc|corp|corporation|"
    r"company|co|gmbh|group|plc)[\s.,]*$"
)
_PUNCT = re.compile(r"[\W_]+")
_HAS_LATIN = re.compile(r"[a-z]")
_TRIM = " .,，、()（）"


@lru_cache(maxsize=200_000)
def _key(text: str) -> str:
    folded = fold_once(text)
    text = folded.strip(" .,")
    latin = _HAS_LATIN.search(text) is not None
    while True:
        before = text
        if latin:
            text = _LATIN_SUFFIX.sub("", text).strip(_TRIM)
        if text.endswith(_CJK_SUFFIXES):
            for suffix in _CJK_SUFFIXES:  # longest first; a name that is only a suffix stays
                if text.endswith(suffix):
                    if len(text) > len(suffix):
                        text = text[: -len(suffix)].strip(_TRIM)
                    break
        if text == before:
            break
    return _PUNCT.sub("", text) or _PUNCT.sub("", folded)  # (a name that is only punctuation and suffixes)


def dedupe_key(value: object) -> str | None:
    """Normalised customer name: NFKC width, case, spaces, traditional→simplified and company suffixes
    (有限公司, 有限責任公司, 集团, 股份, Co., Ltd., Inc …) ignored. None for blanks and error values.

    `科技有限公司` and `科技` and `科 技 股份有限公司` share a key; `ABC Co., Ltd.` and `abc` too.
    """
    if type(value) is str:
        return _str_key(value)
    if is_blank(value) or isinstance(value, bool):
        return None
    return _key(norm(value)) or None


@lru_cache(maxsize=200_000)
def _str_key(value: str) -> str | None:
    if is_blank(value) or is_error(value):
        return None
    return _key(norm(value)) or None
