"""The buttons' words: each job's caption in the three languages (the captions of the workbook's buttons,
VBA and xlwings Lite alike; authoring/vba.BUTTONS carries the same, a test keeps them equal) and the
one-line-per-job report both kinds of button show."""

from __future__ import annotations

from collections.abc import Sequence

from .i18n import Lang, pick
from .result import Summary

RUN = "run"  # the job name that runs every job (jobs.RUN_ORDER)
# job → its button's caption (zh-Hans, en, zh-Hant)
LABELS: dict[str, tuple[str, str, str]] = {
    "validate": ("校验数据", "Validate rows", "校驗數據"),
    "tiers": ("重算级别", "Recompute tiers", "重算級別"),
    "stale": ("跟进提醒", "Flag stale follow-ups", "跟進提醒"),
    "health": ("客户健康度", "Customer health", "客戶健康度"),
    "review": ("生成月度复盘", "Build monthly review", "生成月度復盤"),
    RUN: ("一键全部运行", "Run all", "一鍵全部運行"),
}


def job_label(job: str, lang: Lang) -> str:
    """The caption of `job`'s button in `lang` (the job's name for a job without a button)."""
    if job not in LABELS:
        return job
    hans, en, hant = LABELS[job]
    return pick(lang, hans, en, hant)


def report(summaries: Sequence[Summary], lang: Lang) -> str:
    """One line per job: its button's caption and headline."""
    return "\n".join(f"{job_label(s.job, lang)}: {s.headline}" for s in summaries)
