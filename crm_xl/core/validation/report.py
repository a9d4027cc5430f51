"""Turn collected issues into the `check` column, the Issues sheet and the job summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...model.frame import Frame, Frames, col_letter
from ...model.i18n import Lang, pick
from ...model.layout import SheetLayout, Table, Text
from ...model.result import Summary
from ...model.schema import DATA_SHEETS, ISSUES_SHEET, SEVERITY
from ...model.settings import SettingsNote
from ...model.theme import CHECK_WARNING
from .rules import RULES, SEVERITY_ORDER, TITLES
from .values import show

SHEET_ORDER = {s.key: i for i, s in enumerate(DATA_SHEETS)}
OK = "OK"


_SEVERITY = {code: rule.severity for code, rule in RULES.items()}


def issues_frame(records: dict[str, list[Any]]) -> pd.DataFrame:
    """One row per issue, sorted by sheet order, row, column, then errors before warnings."""
    if not records["rule"]:
        df = pd.DataFrame({k: pd.Series(dtype=object) for k in records})
    else:  # (as `pd.DataFrame(records)` builds it, from arrays: rows and columns are ints, values inferred)
        df = pd.DataFrame({k: _array(v) if k != "value" else pd.Series(v).to_numpy() for k, v in records.items()})
    df["severity"] = df["rule"].map(_SEVERITY)
    df["sheet_order"] = df["sheet"].map(SHEET_ORDER)
    df["sev_order"] = df["severity"].map(SEVERITY_ORDER)
    return df.take(_order(df, ["sheet_order", "row", "col", "sev_order"])).reset_index(drop=True)


def _array(values: list[Any]) -> np.ndarray:
    """A list of ints as int64, of anything else as an object array (what pandas infers for them)."""
    if values and type(values[0]) is int and all(type(v) is int for v in values):
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:  # (beyond int64: pandas keeps them as objects too)
            pass
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _order(df: pd.DataFrame, by: list[str]) -> np.ndarray:
    """The positions of `df`'s rows sorted by the integer columns `by` (stable): what
    `sort_values(by, kind="stable")` gives, on the arrays."""
    if not len(df):
        return np.arange(0)
    return np.lexsort([df[c].to_numpy(dtype=np.int64) for c in reversed(by)])


def check_columns(issues: pd.DataFrame, frames: Frames, lang: Lang) -> dict[str, dict[str, pd.Series]]:
    """`check` per present data sheet: OK, or the row's messages joined with '; ' (errors first)."""
    warn = pick(lang, *CHECK_WARNING)
    ordered = issues.take(_order(issues, ["sheet_order", "row", "sev_order", "col"]))
    sheets, rows = ordered["sheet"].to_numpy(), ordered["row"].to_numpy(dtype=np.int64)
    lines = [m if s == "error" else warn + m for m, s in zip(ordered["message"], ordered["severity"], strict=True)]
    # the issues of a row are consecutive: one text per run of the same (sheet, row)
    starts = np.flatnonzero(np.r_[True, (sheets[1:] != sheets[:-1]) | (rows[1:] != rows[:-1])]) if len(rows) else []
    ends = [*starts[1:], len(rows)] if len(rows) else []
    texts: dict[str, dict[int, str]] = {}
    for a, b in zip(starts, ends, strict=True):
        texts.setdefault(sheets[a], {})[int(rows[a])] = lines[a] if b - a == 1 else "; ".join(lines[a:b])
    out: dict[str, dict[str, pd.Series]] = {}
    for frame in frames.present():
        mine = texts.get(frame.sheet.key, {})
        check = np.full(len(frame.data), OK, dtype=object)
        at = frame.data.index.get_indexer(np.fromiter(mine, dtype=np.int64, count=len(mine)))
        check[at[at >= 0]] = _array(list(mine.values()))[at >= 0]
        out[frame.sheet.key] = {"check": pd.Series(check, index=frame.data.index, dtype=object)}
    return out


def _target(frame: Frame, row: int, col: int) -> tuple[str, str]:
    """(`E14`, `'客户信息表'!E14`)."""
    address = f"{col_letter(col)}{row}"
    return address, "'" + frame.sheet_name.replace("'", "''") + "'!" + address


def _header(frame: Frame, key: str) -> str:
    return frame.headers.get(key) or frame.header(key)


def counts_line(errors: int, warnings: int, rows: int, lang: Lang) -> str:
    if not errors and not warnings:
        return pick(lang, f"共 {rows} 行，未发现问题", f"no problems found in {rows} rows")
    return pick(lang, f"共 {rows} 行：{errors} 个错误，{warnings} 个警告",
                f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} in {rows} rows")


_RULE_ORDER = {code: i for i, code in enumerate(RULES)}


@dataclass(frozen=True)
class Group:
    """The issues of one (severity, sheet, rule): rows [start, stop) of the ordered issues, of which the first
    `shown` go on the Issues sheet."""

    start: int
    stop: int
    shown: int
    sheet: str
    rule: str
    severity: str

    @property
    def more(self) -> int:
        return self.stop - self.start - self.shown


def grouped(issues: pd.DataFrame, cap: int | None) -> tuple[pd.DataFrame, list[Group]]:
    """The issues ordered errors first, then warnings; by sheet and rule (in RULES order) within each; by row
    and column within a rule — and their groups, each showing at most `cap` rows (None: all)."""
    df = issues.assign(rule_order=issues["rule"].map(_RULE_ORDER))
    df = df.take(_order(df, ["sev_order", "sheet_order", "rule_order", "row", "col"])).reset_index(drop=True)
    if not len(df):
        return df, []
    sheets, rules = df["sheet"].to_numpy(), df["rule"].to_numpy()
    starts = np.flatnonzero(np.r_[True, (sheets[1:] != sheets[:-1]) | (rules[1:] != rules[:-1])])
    stops = [*starts[1:].tolist(), len(df)]
    severity = df["severity"].to_numpy()
    groups = [Group(a, b, b - a if cap is None else min(b - a, cap), sheets[a], rules[a], severity[a])
              for a, b in zip(starts.tolist(), stops, strict=True)]
    return df, groups


def issues_sheet(issues: pd.DataFrame, frames: Frames, lang: Lang, today: str, headline: str,
                 cap: int | None = None, notes: Sequence[SettingsNote] = ()) -> SheetLayout:
    """问题清单 / Issues: title, one summary line, one table with a hyperlink to every cell listed.

    Errors first, then warnings (the Settings notes first among them); grouped by sheet and rule, each group
    listing at most `cap` rows then a line counting the rest (all of them are in the sheet's check column)."""
    labels = [pick(lang, "工作表", "Sheet"), pick(lang, "单元格", "Cell"), pick(lang, "列", "Column"),
              pick(lang, "值", "Value"), pick(lang, "规则", "Rule"), pick(lang, "代码", "Code"),
              pick(lang, "级别", "Severity"), pick(lang, "说明", "Message")]
    ordered, groups = grouped(issues, cap)
    keep = np.concatenate([np.arange(g.start, g.start + g.shown) for g in groups]) if groups else np.arange(0)
    columns, links, styles = _issue_rows(ordered.take(keep), frames, lang)
    by_key = {f.sheet.key: f for f in frames.present()}
    rows = _Rows(columns, links, styles)
    out = _Rows([[] for _ in labels], [], [])
    at = 0
    noted = not notes
    for g in groups:
        if not noted and g.severity != "error":
            out.extend(_note_rows(notes, lang))
            noted = True
        out.extend(rows.slice(at, at + g.shown))
        at += g.shown
        if g.more:
            out.extend(_more_row(g, by_key[g.sheet], lang))
    if not noted:
        out.extend(_note_rows(notes, lang))
    df = pd.DataFrame({label: _array(column) for label, column in zip(labels, out.columns, strict=True)},
                      dtype=object)
    title = ISSUES_SHEET.name(lang)
    line = pick(lang, f"检查日期 {today} · {headline}", f"Checked {today} · {headline}")
    if len(df):
        line += pick(lang, " · 点击单元格地址可跳转到该单元格", " · click a cell address to go to the cell")
    if any(g.more for g in groups):
        line += pick(lang, f" · 每个表每条规则最多列出 {cap:,} 行，全部结果见各表的「校验结果」列",
                     f" · at most {cap:,} rows per sheet and rule; every row's result is in each sheet's "
                     "Check column")
    table = Table(df, formats={label: "text" for label in labels}, links={labels[1]: out.links},
                  row_styles=out.styles, highlight=labels[6], name="issues",
                  empty_text=pick(lang, "未发现问题", "No problems found"))
    aliases = tuple(n for n in ISSUES_SHEET.names() if n != title)
    return SheetLayout(title, [Text(title, "title"), Text(line, "subtitle"), table], aliases=aliases,
                       freeze="A5", widths={1: 14, 2: 9, 3: 14, 4: 22, 5: 18, 6: 22, 7: 8, 8: 60})


@dataclass
class _Rows:
    """Issues-sheet rows kept as columns, with each row's link (Cell column) and style (Severity column)."""

    columns: list[list[Any]]
    links: list[str | None]
    styles: list[Any]

    def slice(self, a: int, b: int) -> _Rows:
        return _Rows([c[a:b] for c in self.columns], self.links[a:b], self.styles[a:b])

    def extend(self, other: _Rows) -> None:
        for mine, theirs in zip(self.columns, other.columns, strict=True):
            mine.extend(theirs)
        self.links.extend(other.links)
        self.styles.extend(other.styles)


def _issue_rows(issues: pd.DataFrame, frames: Frames, lang: Lang) -> tuple[list[list[Any]], list[str | None],
                                                                           list[Any]]:
    """The Issues-sheet columns of `issues` (one row each), their links and row styles."""
    by_key = {f.sheet.key: f for f in frames.present()}
    # `_target` and `_header` of each issue, with the parts shared by many issues worked out once
    prefix = {k: _target(f, 1, 1)[1][: -len("A1")] for k, f in by_key.items()}
    sheet_keys, cols = issues["sheet"].tolist(), issues["col"].astype(np.int64).tolist()
    letters = {c: col_letter(c) for c in set(cols)}
    cells = [f"{letters[c]}{int(r)}" for c, r in zip(cols, issues["row"].tolist(), strict=True)]
    links: list[str | None] = [prefix[k] + cell for k, cell in zip(sheet_keys, cells, strict=True)]
    headers = {(k, c): _header(by_key[k], c) for k, c in set(zip(sheet_keys, issues["key"], strict=True))}
    severity = {s: SEVERITY.label(s, lang) for s in set(issues["severity"])}
    titles = {code: rule_title(code, lang) for code in set(issues["rule"])}
    columns = [
        [by_key[k].sheet_name for k in sheet_keys],
        cells,
        [headers[kc] for kc in zip(sheet_keys, issues["key"], strict=True)],
        _shown(issues["value"]),  # text (never a formula); blank stays empty
        [titles[code] for code in issues["rule"]],
        list(issues["rule"]),
        [severity[s] for s in issues["severity"]],
        list(issues["message"]),
    ]
    return columns, links, list(issues["severity"])


def _more_row(group: Group, frame: Frame, lang: Lang) -> _Rows:
    """The line after a capped group: how many more, and where to find them all (the sheet's check column,
    its header cell linked)."""
    check = _header(frame, "check")
    text = pick(lang, "还有 {n} 条同类问题：在「{sheet}」按 {col} 筛选",
                "{n} more like these: filter the “{sheet}” sheet on its {col} column",
                "還有 {n} 條同類問題：在「{sheet}」按 {col} 篩選").format(
        n=f"{group.more:,}", sheet=frame.sheet_name, col=check)
    at = frame.cols.get("check")  # its header cell, linked, when the column is there already
    address, link = _target(frame, frame.header_row, at) if at else (None, None)
    row = [frame.sheet_name, address, check, None, rule_title(group.rule, lang), group.rule,
           SEVERITY.label(group.severity, lang), text]
    return _Rows([[v] for v in row], [link], [group.severity])


UNKNOWN_SETTING = "unknown_setting"  # the rule of a Settings label that names no setting or list


def rule_title(code: str, lang: Lang) -> str:
    """A rule's name for people in `lang` (the Issues sheet shows it beside the code)."""
    hans, en = TITLES.get(code, (code, code))
    return pick(lang, hans, en)


def _note_rows(notes: Sequence[SettingsNote], lang: Lang) -> _Rows:
    """One warning row per Settings label that was not understood, linked to its cell."""
    column = pick(lang, "设置项", "Setting", "設定項")
    severity = SEVERITY.label("warning", lang)
    title = rule_title(UNKNOWN_SETTING, lang)
    rows = [[n.sheet, n.address, column, n.label, title, UNKNOWN_SETTING, severity, n.message(lang)] for n in notes]
    links: list[str | None] = ["'" + n.sheet.replace("'", "''") + "'!" + n.address for n in notes]
    return _Rows([list(c) for c in zip(*rows, strict=True)], links, ["warning"] * len(notes))


def _shown(values: pd.Series) -> list[str | None]:
    """`show(v) or None` of each value, worked out once per distinct value (1, 1.0 and True apart)."""
    seen: dict[Any, str | None] = {}
    out = []
    for v in values:
        try:
            key: Any = (type(v), v)
            text = seen[key] if key in seen else seen.setdefault(key, show(v) or None)
        except TypeError:  # unhashable: shown on its own
            text = show(v) or None
        out.append(text)
    return out


def summary(issues: pd.DataFrame, frames: Frames, lang: Lang, notes: Sequence[SettingsNote] = ()) -> Summary:
    """Headline, counts by sheet × rule (JSON-able), and the same as a table for the CLI; the Settings
    labels not understood (`notes`) count as warnings of the Settings sheet."""
    rows = sum(len(f) for f in frames.present())
    errors = int((issues["severity"] == "error").sum())
    warnings = int((issues["severity"] == "warning").sum()) + len(notes)
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
    if notes:
        by_sheet["settings"] = {UNKNOWN_SETTING: len(notes)}
        by_rule[UNKNOWN_SETTING] = len(notes)
        records.append({pick(lang, "工作表", "Sheet"): notes[0].sheet, pick(lang, "规则", "Rule"): UNKNOWN_SETTING,
                        pick(lang, "级别", "Severity"): SEVERITY.label("warning", lang),
                        pick(lang, "数量", "Count"): len(notes)})
    counts = {"rows": rows, "rows_by_sheet": {f.sheet.key: len(f) for f in frames.present()},
              "errors": errors, "warnings": warnings, "by_sheet": by_sheet, "by_rule": by_rule}
    table = pd.DataFrame(records, columns=[pick(lang, "工作表", "Sheet"), pick(lang, "规则", "Rule"),
                                           pick(lang, "级别", "Severity"), pick(lang, "数量", "Count")])
    title = pick(lang, "按工作表和规则统计", "Issues by sheet and rule")
    return Summary("validate", headline, counts, [(title, table)], errors, warnings)
