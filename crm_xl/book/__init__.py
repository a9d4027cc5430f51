"""The Book port and its adapters: files on disk, live Excel (xlwings), memory (tests)."""

from .port import Book, TableInfo

__all__ = ["Book", "TableInfo"]
