"""Matching customer names across sheets: width, case, script and spaces do not matter."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ...model.i18n import fold, fold_many
from ...model.parse import is_blank
from .cells import spread


def customer_key(name: object) -> str:
    """The key a customer name is matched by: `fold(name)` with every space removed ('' for blanks)."""
    if isinstance(name, str):
        return _text_key(name)
    if is_blank(name):
        return ""
    return _text_key(str(name))


_KEYS: dict[str, str] = {}  # text → customer_key(text): filled by `_text_key`, read directly by `keys_of`


def _text_key(text: str) -> str:
    key = _KEYS.get(text)
    if key is None:
        key = folded(text).replace(" ", "")
        if len(_KEYS) >= _MAX_FOLDED:
            _KEYS.clear()
        _KEYS[text] = key
    return key


def keys_of(values: Sequence[object] | np.ndarray) -> list[str]:
    """`[customer_key(v) for v in values]`: new texts folded all at once first (`fold_ahead`), texts seen
    before looked up in one dict (the jobs of a run key the same names again and again)."""
    fold_ahead(values)
    try:  # (only texts are in _KEYS: any other value gets None, as a text not seen before)
        out = list(map(_KEYS.get, values))
    except TypeError:  # an unhashable value
        return [customer_key(v) for v in values]
    if None in out:
        for i in np.flatnonzero(np.fromiter((k is None for k in out), dtype=bool, count=len(out))):
            out[i] = customer_key(values[i])
    return out


_FOLDED: dict[str, str] = {}  # text → fold(text), filled by `folded` and `fold_ahead`
_MAX_FOLDED = 1 << 18
_PROBE = 32  # fold_ahead looks at this many texts first


def folded(text: str) -> str:
    """`i18n.fold(text)`, worked out once per distinct text (validation folds the same names)."""
    out = _FOLDED.get(text)
    if out is None:
        out = fold(text)
        _keep(text, out)
    return out


def fold_ahead(texts: Iterable[object]) -> None:
    """Fold the distinct texts among `texts` that `folded` has not seen, all at once (`i18n.fold_many`:
    one conversion call instead of one per name), so that `folded` finds them. Only a warm-up: when the first
    texts are all known it stops there (`folded` works out any other on its own)."""
    texts = list(texts)
    probe = [t for t in texts[:_PROBE] if type(t) is str]
    if probe and all(t in _FOLDED for t in probe):
        return  # (names seen before, e.g. by validation: any stragglers are folded one by one when asked)
    todo = [t for t in texts if type(t) is str and t not in _FOLDED]
    if not todo:
        return
    todo = list(dict.fromkeys(todo))
    for text, out in zip(todo, fold_many(todo), strict=True):
        _keep(text, out)


def _keep(text: str, out: str) -> None:
    if len(_FOLDED) >= _MAX_FOLDED:
        _FOLDED.clear()
    _FOLDED[text] = out


def customer_keys(names: pd.Series) -> pd.Series:
    """`customer_key` of every value of a Series (each distinct value folded once), same index."""
    if names.empty:
        return pd.Series([], index=names.index, dtype=object)
    codes, uniques = pd.factorize(names.astype(object), use_na_sentinel=True)
    return spread(codes, keys_of(uniques), "", names.index)
