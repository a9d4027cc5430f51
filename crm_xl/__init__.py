"""crm-xl: a sales team's customer workbook, validated, tiered, followed up and reviewed in place."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "open_workbook": "crm_xl.book.files",
    "validate": "crm_xl.jobs",
    "recompute_tiers": "crm_xl.jobs",
    "flag_stale": "crm_xl.jobs",
    "assess_health": "crm_xl.jobs",
    "build_review": "crm_xl.jobs",
    "run_all": "crm_xl.jobs",
    "merge": "crm_xl.merging",
    "split": "crm_xl.merging",
    "Book": "crm_xl.book.port",
    "Settings": "crm_xl.model.settings",
    "Summary": "crm_xl.model.result",
    "CrmXlError": "crm_xl.model.errors",
    "WorkbookFileError": "crm_xl.model.errors",
    "SchemaError": "crm_xl.model.errors",
    "SettingsError": "crm_xl.model.errors",
    "ConflictError": "crm_xl.model.errors",
    "UsageError": "crm_xl.model.errors",
    "PackageCheckError": "crm_xl.model.errors",
}
__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    """The API, imported on first use (so `crm-xl --version` and the CLI start-up stay light)."""
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'crm_xl' has no attribute {name!r}")
