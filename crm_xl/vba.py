"""The workbook's buttons: which Sub each button runs, where it sits, its label; the VBA project.

The template builder (template.py) places BUTTONS with XlsxWriter's insert_button and embeds the VBA
project built by `project_bin()` when it writes an .xlsm.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import Lang


@dataclass(frozen=True)
class Button:
    """A form-control button: the sheet it sits on (a sheet key of schema.py: customers, instructions,
    review …), its top-left cell, the VBA macro it runs and its caption in each language."""

    sheet: str
    cell: str
    macro: str
    hans: str
    hant: str
    en: str

    def label(self, lang: Lang) -> str:
        return {"zh-Hans": self.hans, "zh-Hant": self.hant, "en": self.en}[lang]


BUTTONS: tuple[Button, ...] = (
    Button("customers", "B1", "CRM.ValidateRows", "校验数据", "校驗數據", "Validate rows"),
    Button("customers", "D1", "CRM.RecomputeTiers", "重算级别", "重算級別", "Recompute tiers"),
    Button("customers", "F1", "CRM.FlagStale", "跟进提醒", "跟進提醒", "Flag stale follow-ups"),
    Button("instructions", "F3", "CRM.RunAll", "一键全部运行", "一鍵全部運行", "Run all"),
    Button("instructions", "F6", "CRM.BuildReview", "生成月度复盘", "生成月度復盤", "Build monthly review"),
    Button("instructions", "F9", "CRM.AssessHealth", "客户健康度", "客戶健康度", "Customer health"),
)


def project_bin() -> bytes:
    """vbaProject.bin with the xlwings standalone module and the CRM module (built with pyopenvba)."""
    raise NotImplementedError("the VBA project builder is part of the buttons issue")


def decorate(workbook: object, sheets: dict[str, object], lang: Lang) -> None:
    """Turn an XlsxWriter workbook being built by template.py into the macro-enabled template: embed
    the VBA project, place BUTTONS on `sheets` (sheet key → XlsxWriter worksheet) and add the hidden
    `xlwings.conf` sheet. Called by template.build(..., macros=True)."""
    raise NotImplementedError("the macro-enabled template is part of the buttons issue")
