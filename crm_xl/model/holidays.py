"""The default holiday list for greetings: 元旦, 春节, 元宵, 端午, 中秋, 国庆 for 2024–2027.

The lunar ones (春节 1/1, 元宵 1/15, 端午 5/5, 中秋 8/15 of the Chinese calendar) fall on a different
Gregorian day each year, so they are a table, not a rule; the team adds later years on the Settings sheet.
"""

from __future__ import annotations

from .i18n import Lang

NAMES: dict[str, dict[Lang, str]] = {
    "new_year": {"zh-Hans": "元旦", "zh-Hant": "元旦", "en": "New Year's Day"},
    "spring": {"zh-Hans": "春节", "zh-Hant": "春節", "en": "Spring Festival"},
    "lantern": {"zh-Hans": "元宵", "zh-Hant": "元宵", "en": "Lantern Festival"},
    "dragon_boat": {"zh-Hans": "端午", "zh-Hant": "端午", "en": "Dragon Boat Festival"},
    "mid_autumn": {"zh-Hans": "中秋", "zh-Hant": "中秋", "en": "Mid-Autumn Festival"},
    "national": {"zh-Hans": "国庆", "zh-Hant": "國慶", "en": "National Day"},
}

# Gregorian days of the lunar festivals
LUNAR: dict[int, dict[str, str]] = {
    2024: {"spring": "02-10", "lantern": "02-24", "dragon_boat": "06-10", "mid_autumn": "09-17"},
    2025: {"spring": "01-29", "lantern": "02-12", "dragon_boat": "05-31", "mid_autumn": "10-06"},
    2026: {"spring": "02-17", "lantern": "03-03", "dragon_boat": "06-19", "mid_autumn": "09-25"},
    2027: {"spring": "02-06", "lantern": "02-20", "dragon_boat": "06-09", "mid_autumn": "09-15"},
}


def _days(year: int) -> dict[str, str]:
    return {"new_year": "01-01", **LUNAR[year], "national": "10-01"}


HOLIDAYS: dict[Lang, list[tuple[str, str]]] = {
    lang: [(NAMES[key][lang], f"{year}-{day}") for year in LUNAR for key, day in sorted(
        _days(year).items(), key=lambda kv: kv[1])]
    for lang in ("zh-Hans", "zh-Hant", "en")
}
