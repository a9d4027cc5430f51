"""`fold` converts only the texts t2s may change: a text holding no character of a TSCharacters entry, and
none of the few TSPhrases entries that change text without one, comes back as it is — the same result as the
conversion, without it (a workbook in simplified script or English never loads the t2s dictionaries)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.model import i18n
from crm_xl.model.i18n import _prepare, _t2s_triggers, converter, fold, fold_many, t2s_changes

KEYS, PHRASES = _t2s_triggers()


def _converted(text: str) -> str:
    return converter("t2s")(_prepare(text))


def test_every_dictionary_entry_is_seen_as_one_to_convert() -> None:
    from importlib.resources import files

    from opencc_purepy.dictionary_lib import DictionaryMaxlength

    folder = files("opencc_purepy") / "dicts"
    for name in ("TSCharacters", "TSPhrases"):
        entries = DictionaryMaxlength.load_dictionary_maxlength((folder / f"{name}.txt").read_text("utf-8"))[0]
        for key, value in entries.items():
            if key != value:
                assert t2s_changes(f"东方{key}电子"), key
                assert fold(f"东方{key}电子") == _converted(f"东方{key}电子"), key


def test_the_phrases_that_change_text_without_a_traditional_character() -> None:
    assert PHRASES == ("幷州", "结束", "新抱")  # OpenCC's own data: 结束 really becomes 結束
    assert [fold(t) for t in ("并州", "结束了", "新抱")] == ["并州", "結束了", "媳妇"]
    assert not t2s_changes("杭州宏图电子股份有限公司002019") and not t2s_changes("Harbor Foods")


ALPHABET = st.sampled_from(sorted({*"东方电子结束新抱州幷并广苏有限公司 abcAB", *"東電門們為乾麼著後裡", *list(KEYS)[:200]}))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(ALPHABET, max_size=12), max_size=6))
def test_fold_and_fold_many_give_what_the_conversion_gives(texts: list[str]) -> None:
    assert [fold(t) for t in texts] == fold_many(texts) == [_converted(t) for t in texts]


def test_simplified_and_english_texts_never_load_the_conversion(monkeypatch) -> None:
    loaded: list[str] = []
    monkeypatch.setattr(i18n, "converter", lambda config: loaded.append(config) or (lambda t: t))
    fold.cache_clear()
    assert fold_many(["杭州宏图电子股份有限公司", "苏州嘉禾物流", "Ann", "  王  经理 "]) == [
        "杭州宏图电子股份有限公司", "苏州嘉禾物流", "ann", "王 经理"]
    assert fold("成都新源信息技术有限责任公司") == "成都新源信息技术有限责任公司"
    assert i18n.detect_lang(["客户名称", "跟进计划表", "Owner"]) == "zh-Hans"
    assert loaded == []
    fold_many(["東方電子"])
    assert loaded == ["t2s"]
    fold.cache_clear()
