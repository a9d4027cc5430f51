"""Turn collected issues into the `check` column, the Issues sheet and the job summary."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...frame import Frame, Frames, col_letter
from ...i18n import Lang, pick
from ...layout import SheetLayout, Table, Text
from ...result import Summary
from ...schema import DATA_SHEETS, ISSUES_SHEET, SEVERITY
from .rules import RULES, SEVERITY_ORDER
from .values import show

SHEET_ORDER = {s.key: i for i, s in enumerate(DATA_SHEETS)}
OK = "OK"


def issues_frame(records: dict[str, list[Any]]) -> pd.DataFrame:
    """One row per issue, sorted by sheet order, row, column, then errors before warnings."""
    df = pd.DataFrame(records)
    if df.empty:
        df = pd.DataFrame({k: pd.Series(dtype=object) for k in records})
    df["severity"] = df["rule"].map(lambda c: RULES[c].severity)
    df["sheet_order"] = df["sheet"].map(SHEET_ORDER)
    df["sev_order"] = df["severity"].map(SEVERITY_ORDER)
    return df.sort_values(["sheet_order", "row", "col", "sev_order"], kind="stable").reset_index(drop=True)


def check_columns(issues: pd.DataFrame, frames: Frames, lang: Lang) -> dict[str, dict[str, pd.Series]]:
    """`check` per present data sheet: OK, or the row's messages joined with '; ' (errors first)."""
    warn = pick(lang, "警告：", "warning: ")
    ordered = issues.sort_values(["sheet_order", "row", "sev_order", "col"], kind="stable")
    texts: dict[str, dict[int, list[str]]] = {}
    for sheet, row, severity, message in zip(ordered["sheet"], ordered["row"], ordered["severity"],
                                             ordered["message"], strict=True):
        line = message if severity == "error" else warn + message
        texts.setdefault(sheet, {}).setdefault(int(row), []).append(line)
    out: dict[str, dict[str, pd.Series]] = {}
    for frame in frames.present():
        key = frame.sheet.key
        mine = texts.get(key, {})
        joined = pd.Series(["; ".join(v) for v in mine.values()], index=list(mine), dtype=object)
        out[key] = {"check": joined.reindex(frame.data.index).fillna(OK).astype(object)}
    return out


def _target(frame: Frame, row: int, col: int) -> tuple[str, str]:
    """(`E14`, `'客户信息表'!E14`)."""
    address = f"{col_letter(col)}{row}"
    return address, "'" + frame.sheet_name.replace("'", "''") + "'!" + address


def _header(frame: Frame, key: str) -> str:
    return frame.data.attrs.get("headers", {}).get(key) or frame.header(key)


def counts_line(errors: int, warnings: int, rows: int, lang: Lang) -> str:
    if not errors and not warnings:
        return pick(lang, f"共 {rows} 行，未发现问题", f"no problems found in {rows} rows")
    return pick(lang, f"共 {rows} 行：{errors} 个错误，{warnings} 个警告",
                f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} in {rows} rows")


def issues_sheet(issues: pd.DataFrame, frames: Frames, lang: Lang, today: str, headline: str) -> SheetLayout:
    """问题清单 / Issues: title, one summary line, one table with a hyperlink to every cell."""
    labels = [pick(lang, "工作表", "Sheet"), pick(lang, "单元格", "Cell"), pick(lang, "列", "Column"),
              pick(lang, "值", "Value"), pick(lang, "规则", "Rule"), pick(lang, "级别", "Severity"),
              pick(lang, "说明", "Message")]
    by_key = {f.sheet.key: f for f in frames.present()}
    cells, links, sheets, columns = [], [], [], []
    # `_target` and `_header` of each issue, with the parts shared by many issues worked out once
    prefix = {k: _target(f, 1, 1)[1][: -len("A1")] for k, f in by_key.items()}
    letters: dict[int, str] = {}
    headers: dict[tuple[str, str], str] = {}
    for sheet, row, col, key in zip(issues["sheet"], issues["row"], issues["col"], issues["key"], strict=True):
        frame = by_key[sheet]
        col = int(col)
        letter = letters[col] if col in letters else letters.setdefault(col, col_letter(col))
        address = f"{letter}{int(row)}"
        cells.append(address)
        links.append(prefix[sheet] + address)
        sheets.append(frame.sheet_name)
        header = headers.get((sheet, key))
        columns.append(header if header is not None else headers.setdefault((sheet, key), _header(frame, key)))
    severity = {s: SEVERITY.label(s, lang) for s in set(issues["severity"])}
    df = pd.DataFrame({
        labels[0]: sheets,
        labels[1]: cells,
        labels[2]: columns,
        labels[3]: [show(v) or None for v in issues["value"]],  # text (never a formula); blank stays empty
        labels[4]: list(issues["rule"]),
        labels[5]: [severity[s] for s in issues["severity"]],
        labels[6]: list(issues["message"]),
    }, dtype=object)
    title = ISSUES_SHEET.name(lang)
    line = pick(lang, f"检查日期 {today} · {headline}", f"Checked {today} · {headline}")
    if len(issues):
        line += pick(lang, " · 点击单元格地址可跳转到该单元格", " · click a cell address to go to the cell")
    table = Table(df, formats={label: "text" for label in labels}, links={labels[1]: links},
                  row_styles=list(issues["severity"]), highlight=labels[5], name="issues",
                  empty_text=pick(lang, "未发现问题", "No problems found"))
    aliases = tuple(n for n in ISSUES_SHEET.names() if n != title)
    return SheetLayout(title, [Text(title, "title"), Text(line, "subtitle"), table], aliases=aliases,
                       freeze="A5", widths={1: 14, 2: 9, 3: 14, 4: 22, 5: 22, 6: 8, 7: 60})


def summary(issues: pd.DataFrame, frames: Frames, lang: Lang) -> Summary:
    """Headline, counts by sheet × rule (JSON-able), and the same as a table for the CLI."""
    rows = sum(len(f) for f in frames.present())
    errors = int((issues["severity"] == "error").sum())
    warnings = int((issues["severity"] == "warning").sum())
    headline = counts_line(errors, warnings, rows, lang)
    by_sheet: dict[str, dict[str, int]] = {}
    by_rule: dict[str, int] = {}
    names = {f.sheet.key: f.sheet_name for f in frames.present()}
    records = []
    if len(issues):
        grouped = issues.groupby(["sheet_order", "sheet", "sev_order", "rule"], sort=True).size()
        for (_, sheet, _, rule), n in grouped.items():
            by_sheet.setdefault(sheet, {})[rule] = int(n)
            by_rule[rule] = by_rule.get(rule, 0) + int(n)
            records.append({pick(lang, "工作表", "Sheet"): names[sheet], pick(lang, "规则", "Rule"): rule,
                            pick(lang, "级别", "Severity"): SEVERITY.label(RULES[rule].severity, lang),
                            pick(lang, "数量", "Count"): int(n)})
    counts = {"rows": rows, "rows_by_sheet": {f.sheet.key: len(f) for f in frames.present()},
              "errors": errors, "warnings": warnings, "by_sheet": by_sheet, "by_rule": by_rule}
    table = pd.DataFrame(records, columns=[pick(lang, "工作表", "Sheet"), pick(lang, "规则", "Rule"),
                                           pick(lang, "级别", "Severity"), pick(lang, "数量", "Count")])
    title = pick(lang, "按工作表和规则统计", "Issues by sheet and rule")
    return Summary("validate", headline, counts, [(title, table)], errors, warnings)
