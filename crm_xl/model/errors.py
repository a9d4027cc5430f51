"""The exception tree. Every error names what Excel would: sheet, cell, value, rule."""

from __future__ import annotations

INTERRUPTED = 130  # the exit code of a command stopped by Ctrl-C (128 + SIGINT)
NOTHING_WRITTEN = "interrupted; nothing was written"  # its one line, when no save had finished


class CrmXlError(Exception):
    """Root of crm-xl's errors; the CLI prints `Error: <message>` and exits with `exit_code`."""

    exit_code = 2

    def __init__(self, message: str, *, lang: str | None = None, **fields: object) -> None:
        """`lang`: the language `message` is in when it is the workbook's (zh-Hans, zh-Hant, en); None for
        an English message about the file or the command line."""
        super().__init__(message)
        self.message = message
        self.lang = lang
        self.fields = fields

    def __str__(self) -> str:
        return self.message


class WorkbookFileError(CrmXlError):
    """The path is not a workbook crm-xl can open (missing, wrong format, corrupt, locked, read-only)."""


class SchemaError(CrmXlError):
    """A sheet is missing, or a sheet lacks a column crm-xl cannot work without."""


class SettingsError(CrmXlError):
    """A Settings cell holds a value that breaks its rule."""

    def __init__(self, cell: str, rule: str, value: object, said: str | None = None,
                 lang: str | None = None) -> None:
        """`rule` in English (also for machines); `said`: the whole message in the Settings sheet's
        language `lang` when that is not English."""
        super().__init__(said or f"{cell}: {rule}, got {_show(value)}", lang=lang if said else "en",
                         cell=cell, rule=rule, value=value)
        self.cell, self.rule, self.value = cell, rule, value


class ConflictError(CrmXlError):
    """The file changed on disk after it was read; saving would overwrite someone's work."""


class PackageCheckError(CrmXlError):
    """crm-xl's own result failed the check before saving (a bug); the workbook was not touched."""


class UsageError(CrmXlError):
    """A bad command-line or API argument (e.g. a month that is not YYYY-MM)."""


def _show(value: object) -> str:
    if value is None or value == "":
        return "a blank cell"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value) if not isinstance(value, int | float) else str(value)
