"""The Book port and its adapters: files on disk, live Excel (xlwings), memory (tests)."""

from __future__ import annotations

from typing import Any

__all__ = ["Book", "TableInfo"]


def __getattr__(name: str) -> Any:  # lazy: `book.loader` is imported before pandas
    if name in __all__:
        from . import port

        return getattr(port, name)
    raise AttributeError(name)
