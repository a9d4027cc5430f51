"""The public API is pinned: what `import crm_xl` offers, and that each name is what it says."""

from __future__ import annotations

import inspect

import crm_xl

API = ["open_workbook", "validate", "recompute_tiers", "flag_stale", "assess_health", "build_review", "run_all",
       "merge", "split", "Book", "Settings", "Summary", "CrmXlError", "WorkbookFileError", "SchemaError", "SettingsError",
       "ConflictError", "UsageError", "PackageCheckError", "__version__"]
ERRORS = ["WorkbookFileError", "SchemaError", "SettingsError", "ConflictError", "UsageError", "PackageCheckError"]


def test_the_api_is_pinned() -> None:
    assert sorted(crm_xl.__all__) == sorted(API)
    for name in API:
        assert getattr(crm_xl, name) is not None


def test_the_error_tree() -> None:
    for name in ERRORS:
        assert issubclass(getattr(crm_xl, name), crm_xl.CrmXlError)


def test_the_jobs_take_a_path_or_a_book() -> None:
    for name in ("validate", "recompute_tiers", "flag_stale", "assess_health", "build_review", "run_all"):
        params = inspect.signature(getattr(crm_xl, name)).parameters
        assert list(params)[0] == "target" and "today" in params and "out" in params


def test_merge_and_split_take_paths() -> None:
    merge, split = inspect.signature(crm_xl.merge).parameters, inspect.signature(crm_xl.split).parameters
    assert list(merge)[:2] == ["team", "reps"] and {"out", "skip_bad", "lang", "today", "backup"} <= set(merge)
    assert list(split)[:2] == ["team", "into"] and {"by", "today", "force"} <= set(split)
