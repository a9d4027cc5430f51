"""crm-xl: a sales team's customer workbook, validated, tiered, followed up and reviewed in place."""

from __future__ import annotations

__version__ = "0.1.0"

from .book.files import open_workbook  # noqa: E402
from .jobs import assess_health, build_review, flag_stale, recompute_tiers, run_all, validate  # noqa: E402
from .settings import Settings  # noqa: E402

__all__ = [
    "open_workbook",
    "validate",
    "recompute_tiers",
    "flag_stale",
    "assess_health",
    "build_review",
    "run_all",
    "Settings",
    "__version__",
]
