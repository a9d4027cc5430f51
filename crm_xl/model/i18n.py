"""Languages of a workbook and text normalisation shared by headers, lists and names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

Lang = Literal["zh-Hans", "zh-Hant", "en"]
LANGS: tuple[Lang, ...] = ("zh-Hans", "zh-Hant", "en")

# Script conversion: opencc-purepy (pure Python: it runs wherever Python does, Pyodide included), with
# OpenCC's dictionaries and configurations. Only the dictionaries of the conversions crm-xl makes are read,
# each on first use (t2s: 8 MB and 0.04 s; the package's bundle of every conversion: 30 MB and 0.07 s).
Config = Literal["t2s", "s2tw"]  # traditional → simplified; simplified → Taiwan traditional, with phrases
_DICTS: dict[Config, tuple[str, ...]] = {
    "t2s": ("TSPhrases", "TSCharacters"),
    "s2tw": ("STPhrases", "STCharacters", "TWVariantsPhrases", "TWVariants"),
}


@lru_cache(maxsize=2)
def converter(config: Config) -> Callable[[str], str]:
    """The `config` conversion, its dictionaries loaded the first time it is asked for."""
    from importlib.resources import files

    from opencc_purepy import DictSlot, OpenCC
    from opencc_purepy.dictionary_lib import DictionaryMaxlength

    folder = files("opencc_purepy") / "dicts"
    dicts = DictionaryMaxlength().with_custom_dicts(overrides={
        DictSlot.parse(name): DictionaryMaxlength.load_dictionary_maxlength(
            (folder / f"{name}.txt").read_text(encoding="utf-8"))[0]
        for name in _DICTS[config]})
    return getattr(OpenCC(config, dictionary=dicts), config)  # (not `convert`, which returns errors as text)


@lru_cache(maxsize=1)
def _t2s_triggers() -> tuple[frozenset[str], tuple[str, ...]]:
    """What a text must hold for t2s to change it: a character of a TSCharacters entry, or one of the few
    TSPhrases entries that change a text holding none (three in OpenCC 1.x). Read from the
    same dictionary files the conversion loads (a few milliseconds, not the conversion's load)."""
    from importlib.resources import files

    from opencc_purepy.dictionary_lib import DictionaryMaxlength

    folder = files("opencc_purepy") / "dicts"
    chars, phrases = (DictionaryMaxlength.load_dictionary_maxlength(
        (folder / f"{name}.txt").read_text(encoding="utf-8"))[0] for name in ("TSCharacters", "TSPhrases"))
    keys = frozenset(c for key in chars for c in key)
    return keys, tuple(k for k, v in phrases.items() if k != v and keys.isdisjoint(k))


def t2s_changes(text: str) -> bool:
    """Whether t2s may change `text`: False means it certainly gives `text` back (no dictionary entry that
    changes anything can match in it), so a text in simplified script or English needs no conversion."""
    keys, phrases = _t2s_triggers()
    return not keys.isdisjoint(text) or any(p in text for p in phrases)


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold text for matching: full/half width, case, spaces, traditional → simplified."""
    ready = _prepare(text)
    return converter("t2s")(ready) if t2s_changes(ready) else ready


def _prepare(text: str) -> str:
    """The part of `fold` before the script conversion: NFKC width, case, trimmed, whitespace runs as one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(text)).casefold().strip())


# Texts `fold_many` converts in one call, in characters at most: opencc-purepy hands a text of a million
# characters or more to a pool of processes (which a button in Excel or Pyodide must never start).
_BATCH_CHARS = 200_000


def fold_many(texts: list[str]) -> list[str]:
    """`fold` of each text, with one conversion for many: the texts t2s may change are converted joined by
    newlines (up to `_BATCH_CHARS` at a time), which a folded text never contains (whitespace runs become one
    space) and no dictionary phrase spans, so each comes back as `fold` gives it."""
    ready = [_prepare(t) for t in texts]
    todo = [i for i, t in enumerate(ready) if t2s_changes(t)]  # (texts in simplified script: none)
    if not todo:
        return ready
    convert = converter("t2s")
    changed: list[str] = []
    start = size = 0
    for end, i in enumerate(todo, 1):
        size += len(ready[i]) + 1
        if size >= _BATCH_CHARS or end == len(todo):
            batch = [ready[j] for j in todo[start:end]]
            done = convert("\n".join(batch)).split("\n")
            changed += done if len(done) == len(batch) else [convert(t) for t in batch]  # (never expected)
            start, size = end, 0
    for i, text in zip(todo, changed, strict=True):
        ready[i] = text
    return ready


@lru_cache(maxsize=4096)
def to_hant(text: str) -> str:
    """Traditional Chinese form of a simplified Chinese text (used for messages)."""
    return converter("s2tw")(text)


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
    if not t2s_changes(joined):  # nothing traditional in it (t2s would give it back)
        return "zh-Hans"
    simplified = converter("t2s")(joined)
    diff_s = sum(a != b for a, b in zip(joined, simplified, strict=False))
    if not diff_s:  # nothing traditional in it
        return "zh-Hans"
    traditional = converter("s2tw")(joined)
    diff_t = sum(a != b for a, b in zip(joined, traditional, strict=False))
    return "zh-Hant" if diff_s > diff_t else "zh-Hans"
