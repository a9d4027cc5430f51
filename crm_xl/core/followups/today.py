"""The stale job's output: follow-up columns on Customers, the Today worklist sheet and the summary."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ...model.format import date_text
from ...model.layout import SheetLayout, Style, Table, Text
from ...model.result import JobResult, Summary
from ...model.schema import TODAY_SHEET
from ...model.settings import Settings
from ..context import Context
from ..kernel.referrals import has_referrals
from ..kernel.service import has_complaints
from ..kernel.vectors import day_objects
from .churntasks import TASK_COLUMNS, churn_tasks
from .clashtasks import clash_tasks
from .complaints import complaint_items
from .goals import goal_text
from .greetings import greeting_items
from .rhythm import DUE_COLUMNS, RHYTHMS
from .rules import follow_state, status_text
from .thanks import thank_referrers
from .winback import winback_tasks
from .words import words

# order of statuses in summaries; after-sale and lost codes are shown with their group label
SUMMARY_CODES = ("overdue", "due_today", "no_followup", "over_contact", "ok", "paused", "after_sale_overdue",
                 "after_sale_today", "after_sale", "after_sale_unknown", "lost")
# the owner table shows what needs doing (the JSON counts keep every status)
OWNER_TABLE_CODES = ("overdue", "due_today", "no_followup", "after_sale_overdue", "after_sale_today", "over_contact")
_TIER_RANK = {"A": 0, "B": 1, "C": 2}
# the kinds of Today items, in the order an owner's block lists them
KINDS = ("complaint", "overdue", "today", "after_sale", "thanks", "goal", "churn", "winback", "greeting", "clash")
# the counts after the follow-up ones, in the headline
_MORE = ("goals", "rhythm", "churn", "winback", "greeting", "thanks", "complaint", "clash")
_KIND = {"overdue": "overdue", "no_followup": "overdue", "due_today": "today", "after_sale_overdue": "after_sale",
         "after_sale_today": "after_sale", "rhythm": "after_sale", "goal": "goal"}
ITEM_COLUMNS = ["customer", "owner", "tier", "code", "text", "overdue_days", "next_due", "last_follow_up", "feedback",
                "next_action", "contact", "phone"]  # (what the Today rows show)
_ROW_STYLE: dict[str, Style] = {"overdue": "error", "after_sale_overdue": "error", "due_today": "warning",
                                "after_sale_today": "warning", "no_followup": "warning"}


def stale_result(ctx: Context) -> JobResult:
    """Compute the follow-up state as of `ctx.today` and turn it into a JobResult."""
    w = words(ctx.lang)
    if ctx.frames.customers is None:
        return JobResult(Summary("stale", w["no_customers"], warnings=1))
    st = follow_state(ctx.frames, ctx.settings, ctx.today)
    st["text"] = status_text(st, ctx.lang)
    st["goal_text"] = goal_text(st["goal"], st["goal_days"], ctx.lang)
    full = st["text"]
    if (st["goal_text"] != "").any():
        full = full.where(st["goal_text"] == "", full + w["goal_sep"] + st["goal_text"])
        full = full.where(st["text"] != "", st["goal_text"])
    columns = {
        "last_follow_up": day_objects(st["last_follow_up"]),
        "next_due": day_objects(st["next_due"]),
        # blank when nothing is due (a due date still ahead, or none)
        "overdue_days": st["overdue_days"].where(st["next_due"] <= pd.Timestamp(ctx.today)).astype("Int64")
                                          .astype(object),
        "follow_status": full.where(full != "", None),
    }
    extra = extra_items(ctx, st)
    return JobResult(summary(st, ctx, extra), columns={"customers": columns}, sheets=[today_sheet(st, ctx, extra)])


def extra_items(ctx: Context, st: pd.DataFrame) -> pd.DataFrame:
    """The Today items beyond the follow-up state's: open churn warnings (churntasks.py), lost customers due
    a win-back contact (winback.py), greetings (greetings.py), referrers to thank (thanks.py), open complaints
    past a limit (complaints.py), 撞单 for a manager (clashtasks.py). Columns code, text, next_due, overdue_days (and owner: an item's own
    owner, when not the customer's); indexed by Customers row (a row may repeat)."""
    parts = [churn_tasks(ctx, st), winback_tasks(ctx, st), greeting_items(ctx, st), thank_referrers(ctx, st),
             complaint_items(ctx, st), clash_tasks(ctx, st)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=TASK_COLUMNS, index=st.index[:0])
    return pd.concat(parts) if len(parts) > 1 else parts[0]


def today_sheet(st: pd.DataFrame, ctx: Context, extra: pd.DataFrame | None = None) -> SheetLayout:
    """The Today worklist: one block per owner with everything due or overdue and the missed tier goals,
    A first then most overdue; then the over-contact note. `extra`: more items (`extra_items`)."""
    w, lang = words(ctx.lang), ctx.lang
    frame = ctx.frames.customers
    todo = _sorted(items(st, ctx.settings, w, pd.Timestamp(ctx.today), extra))
    weekday = w["weekdays"].split(",")[ctx.today.weekday()]
    blocks: list[Text | Table] = [Text(w["title"].format(date=date_text(ctx.today), weekday=weekday), "title")]
    every_kind = todo["kind"].to_numpy()
    blocks.append(Text(_kind_counts(_counted(every_kind), w, w["all_head"]), "subtitle"))  # the owners' words, summed
    blocks.append(Text(w["how"].format(days=w["working_days" if ctx.settings.working_days else "calendar_days"]),
                       "note"))
    if todo.empty:
        blocks.append(Text(w["nothing_due"], "ok"))
    table, links = _item_table(todo, w, frame)
    styles = _row_styles(todo["code"].to_numpy(), todo["overdue_days"].to_numpy(dtype=float))
    owner = todo["owner"].where(todo["owner"] != "", w["unassigned"])
    names = _owner_order(owner, ctx.settings.owners, w["unassigned"])
    # one reordering by owner, then kind (the sorted order within), so that each table is a slice
    o_rank = pd.Index(names, dtype=object).get_indexer(owner.to_numpy(dtype=object))
    k_rank = pd.Index(KINDS, dtype=object).get_indexer(every_kind)
    pos = np.lexsort((np.arange(len(todo)), k_rank, o_rank))
    pos = pos[k_rank[pos] >= 0]  # (every item has a kind of KINDS)
    table = table.iloc[pos].reset_index(drop=True)
    o_rank, k_rank = o_rank[pos], k_rank[pos]
    bounds = [0, *(np.flatnonzero(np.diff(o_rank) | np.diff(k_rank)) + 1).tolist(), len(pos)] if len(pos) else [0]
    groups: dict[int, list[tuple[int, int, int]]] = {}  # owner rank -> [(kind rank, start, end)]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        groups.setdefault(int(o_rank[a]), []).append((int(k_rank[a]), a, b))
    for o, kinds in sorted(groups.items()):
        blocks.append(Text(""))  # (room above the owner's heading: its font is larger)
        counts = {KINDS[k]: b - a for k, a, b in kinds}
        blocks.append(Text(_kind_counts(counts, w, w["owner_head"], owner=names[o]), "title"))
        for k, a, b in kinds:
            at = pos[a:b]
            blocks.append(Table(
                table.iloc[a:b].reset_index(drop=True), title=w["kind_block"].format(kind=w[f"kind_{KINDS[k]}"], n=b - a),
                formats={w["col_overdue"]: "int", w["col_due"]: "date", w["col_last"]: "date"},
                links={w["col_customer"]: [links[i] for i in at]} if links else {},
                row_styles=[styles[i] for i in at], highlight=w["col_what"],
            ))
    over = st[st["over_contact"] & (st["status"] == "open")]
    if len(over):
        over = _sorted(over)
        s = ctx.settings
        days = s.contact_window_days
        rule = [w["rule_daily"].format(n=d, limit=s.daily_contact_limit) if d > s.daily_contact_limit
                else w["rule_weekly"].format(n=k, limit=s.c_weekly_limit, days=days)
                for d, k in zip(over["day_max"], over["week_count"], strict=True)]
        df = pd.DataFrame({
            w["col_customer"]: over["customer"].map(_text).to_numpy(),
            w["col_tier"]: over["tier"].to_numpy(),
            w["col_rule"]: rule,
            w["col_owner"]: over["owner"].where(over["owner"] != "", w["unassigned"]).to_numpy(),
            w["col_week"].format(days=days): over["week_count"].to_numpy(),
            w["col_day_max"]: over["day_max"].to_numpy(),
        })
        links = frame.cells(over.index, "customer") if frame is not None else []
        blocks.append(Table(df, title=w["over_title"].format(days=days),
                            formats={w["col_week"].format(days=days): "int", w["col_day_max"]: "int"},
                            links={w["col_customer"]: links} if links else {}))
    name = TODAY_SHEET.name(lang)
    return SheetLayout(
        name, blocks, widths={5: 12, 6: 12, 7: 30, 8: 28},
        aliases=tuple(n for n in TODAY_SHEET.names() if n != name),
        after=frame.sheet_name if frame is not None else None,
    )


def _item_table(rows: pd.DataFrame, w: dict[str, str], frame: Any) -> tuple[pd.DataFrame, list[str | None]]:
    """The columns the Today tables show for `rows`, and the link of each row to its customer (built once,
    sliced per owner and kind)."""
    df = pd.DataFrame({
        w["col_customer"]: _texts(rows["customer"]),
        w["col_tier"]: rows["tier"].to_numpy(),
        w["col_what"]: rows["text"].to_numpy(),
        w["col_overdue"]: rows["overdue_days"].astype(int).to_numpy(),
        w["col_due"]: day_objects(rows["next_due"]).to_numpy(),
        w["col_last"]: day_objects(rows["last_follow_up"]).to_numpy(),
        w["col_feedback"]: rows["feedback"].to_numpy(),
        w["col_next"]: rows["next_action"].to_numpy(),
        w["col_contact"]: rows["contact"].to_numpy(),
        w["col_phone"]: rows["phone"].to_numpy(),
    })
    if frame is not None and frame.has("preference"):  # the customer's 沟通偏好 (optional column)
        df[w["col_preference"]] = _texts(frame.data["preference"].reindex(rows.index))
    links = frame.cells(rows.index, "customer") if frame is not None and len(rows) else []
    return df, links


def summary(st: pd.DataFrame, ctx: Context, extra: pd.DataFrame | None = None) -> Summary:
    """Counts by status and by owner (tables in the workbook language, counts by status code)."""
    w = words(ctx.lang)
    n = _todo_counts(st, ctx.today, extra)
    headline = (w["headline"] if n["total"] else w["headline_none"]).format(**n)
    headline += "".join(w[f"headline_{k}"].format(**n) for k in _MORE if n[k])
    by_code = st["code"].value_counts()
    status_rows = [(_code_label(c, w), int(by_code[c])) for c in SUMMARY_CODES if c in by_code]
    status_table = pd.DataFrame(status_rows, columns=[w["col_status"], w["col_count"]])
    owner = st["owner"].where(st["owner"] != "", w["unassigned"])
    pivot = _by_owner(owner.to_numpy(dtype=object), st["code"].to_numpy(dtype=object), st["todo"].to_numpy(dtype=bool),
                      _owner_order(owner, ctx.settings.owners, w["unassigned"]))
    shown = pivot[["todo", *OWNER_TABLE_CODES]]
    owner_table = shown.rename(columns={"todo": w["col_due_total"], **{c: _code_label(c, w) for c in SUMMARY_CODES}})
    owner_table = owner_table.rename_axis(w["col_owner"]).reset_index()
    counts = {
        "todo": n["total"],
        "overdue": n["overdue"],
        "due_today": n["today"],
        "no_followup": n["new"],
        "after_sale": n["after_sale"],
        "over_contact": n["over"],
        "goals": n["goals"],
        "maintenance": n["rhythm"],
        "churn_warnings": n["churn"],
        "win_back": n["winback"],
        "greetings": n["greeting"],
        **({"referral_thanks": n["thanks"]} if has_referrals(ctx.frames) else {}),
        **({"complaints": n["complaint"]} if has_complaints(ctx.frames) else {}),
        **({"clashes": n["clash"]} if _merged(ctx) else {}),
        "by_status": {c: int(by_code[c]) for c in SUMMARY_CODES if c in by_code},
        "by_owner": {str(o): {k: int(v) for k, v in row.items() if v} for o, row in pivot.iterrows()},
    }
    return Summary("stale", headline, counts, [(w["by_status"], status_table), (w["by_owner"], owner_table)])


# --- helpers --------------------------------------------------------------------------------------


def _merged(ctx: Context) -> bool:
    """Whether the workbook is a merged one (its Customers have 来源文件): its summary counts 撞单."""
    frame = ctx.frames.customers
    return frame is not None and "source_file" in frame.cols


def _kind_counts(counts: dict[str, int], w: dict[str, str], head: str, **fields: str) -> str:
    """`head` filled with the number of items and their count per kind (`counts`: kind -> n), in KINDS
    order (`逾期跟进 3 · 售后 4`)."""
    listed = w["kind_sep"].join(w["kind_count"].format(kind=w[f"kind_{k}"], n=counts[k])
                                for k in KINDS if counts.get(k))
    return head.format(n=sum(counts.values()), counts=listed, **fields).rstrip(":： ")


def _counted(kinds: np.ndarray) -> dict[str, int]:
    """The number of items of each kind."""
    found, n = np.unique(kinds.astype(str), return_counts=True) if len(kinds) else ([], [])
    return dict(zip(list(found), [int(x) for x in n], strict=True))


def _by_owner(owner: np.ndarray, code: np.ndarray, todo: np.ndarray, order: list[str]) -> pd.DataFrame:
    """Per owner (rows in `order`): the to-do count, then the customers of each SUMMARY_CODES status."""
    rows = pd.Index(order, dtype=object).get_indexer(owner)  # (every owner is in `order`)
    known = pd.Index(SUMMARY_CODES, dtype=object).get_indexer(code)
    ok = known >= 0
    width = len(SUMMARY_CODES)
    grid = np.bincount(rows[ok] * width + known[ok], minlength=len(order) * width).reshape(len(order), width)
    out = pd.DataFrame(grid, index=pd.Index(order, dtype=object), columns=list(SUMMARY_CODES))
    out.insert(0, "todo", np.bincount(rows[todo], minlength=len(order)))
    return out


def _todo_counts(st: pd.DataFrame, day: dt.date, extra: pd.DataFrame | None = None) -> dict[str, int]:
    todo = st.loc[st["todo"], "code"]
    more = extra["code"].value_counts() if extra is not None else pd.Series(dtype=int)
    added = {k: int(more.get(k, 0)) for k in ("churn", "winback", "greeting", "thanks", "complaint", "clash")}
    goals = int(st["goal"].notna().sum()) if "goal" in st.columns else 0
    at = np.datetime64(pd.Timestamp(day), "ns")
    rhythm = sum(int((st[c].to_numpy(dtype="datetime64[ns]") <= at).sum()) for c in DUE_COLUMNS if c in st.columns)
    return {
        "total": int(len(todo)) + goals + rhythm + sum(added.values()),
        "overdue": int((todo == "overdue").sum()),
        "today": int((todo == "due_today").sum()),
        "new": int((todo == "no_followup").sum()),
        "after_sale": int(todo.isin(("after_sale_overdue", "after_sale_today")).sum()),
        "over": int((st["over_contact"] & (st["status"] == "open")).sum()),
        "goals": goals,
        "rhythm": rhythm,
        **added,
    }


def items(st: pd.DataFrame, settings: Settings, w: dict[str, str], day: pd.Timestamp,
          extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """The Today items: every state row due or overdue (code as is), one row per missed tier goal (code
    'goal', text the goal's, days late past the goal and its due day), one per maintenance rhythm due
    (code 'rhythm'). Rows keep their Customers row as index; `kind` says which KINDS block lists each."""
    todo = np.flatnonzero(st["todo"].to_numpy())
    pos, code, text = [todo], [st["code"].to_numpy()[todo]], [st["text"].to_numpy()[todo]]
    due = [st["next_due"].to_numpy(dtype="datetime64[ns]")[todo]]
    late = [st["overdue_days"].to_numpy(dtype=float)[todo]]
    if "goal" in st.columns:
        g = np.flatnonzero(pd.notna(st["goal"].to_numpy()))
        if len(g):
            limit = st["tier"].map({"A": settings.a_sign_days, "B": settings.b_upgrade_days}).to_numpy(dtype=float)
            pos.append(g)
            code.append(np.full(len(g), "goal", dtype=object))
            text.append(st["goal_text"].to_numpy()[g])
            due.append(st["goal_due"].to_numpy(dtype="datetime64[ns]")[g])
            late.append(st["goal_days"].to_numpy(dtype=float)[g] - limit[g])
    at = np.datetime64(day, "ns")
    for rhythm, col in zip(RHYTHMS, DUE_COLUMNS, strict=True):
        if col not in st.columns:
            continue
        days = st[col].to_numpy(dtype="datetime64[ns]")
        r = np.flatnonzero(days <= at)
        if len(r):
            behind = ((at - days[r]) // np.timedelta64(1, "D")).astype(float)
            pos.append(r)
            code.append(np.full(len(r), "rhythm", dtype=object))
            text.append(np.where(behind > 0, w["rhythm_overdue"].format(what=w[rhythm]),
                                 w["rhythm_today"].format(what=w[rhythm])).astype(object))
            due.append(days[r])
            late.append(behind)
    if extra is not None and len(extra):
        pos.append(st.index.get_indexer(extra.index))
        code.append(extra["code"].to_numpy(dtype=object))
        text.append(extra["text"].to_numpy(dtype=object))
        due.append(extra["next_due"].to_numpy(dtype="datetime64[ns]"))
        late.append(extra["overdue_days"].to_numpy(dtype=float))
    shown = st[[c for c in ITEM_COLUMNS if c in st.columns]]  # (only what the sheet shows: cheaper rows)
    out = shown.iloc[np.concatenate(pos)].copy()
    out["code"], out["text"] = np.concatenate(code), np.concatenate(text)
    out["next_due"], out["overdue_days"] = np.concatenate(due), np.concatenate(late)
    out["kind"] = item_kinds(out["code"].to_numpy(), out["overdue_days"].to_numpy(dtype=float))
    if extra is not None and "owner" in extra.columns and "owner" in out.columns:  # an item's own owner
        own = extra["owner"].to_numpy(dtype=object)
        owners = out["owner"].to_numpy(dtype=object).copy()
        mine = np.array([isinstance(o, str) and o != "" for o in own], dtype=bool)
        owners[len(out) - len(own):][mine] = own[mine]
        out["owner"] = owners
    return out


def item_kinds(codes: np.ndarray, late: np.ndarray) -> np.ndarray:
    """The Today kind of each item (KINDS): a first contact not made is overdue once late, else due today."""
    kinds = pd.Series(codes, dtype=object)
    out = kinds.map(_KIND).fillna(kinds).to_numpy(dtype=object)
    out[(codes == "no_followup") & ~(late > 0)] = "today"
    return out


def _sorted(rows: pd.DataFrame) -> pd.DataFrame:
    """A first, then most overdue, then earliest due (no due date last), then sheet row."""
    tier = rows["tier"].map(_TIER_RANK).fillna(3).to_numpy(dtype=float)
    late = -rows["overdue_days"].fillna(0).to_numpy(dtype=float)
    stamps = rows["next_due"].to_numpy(dtype="datetime64[ns]")
    due = stamps.view(np.int64).copy()
    due[np.isnat(stamps)] = np.iinfo(np.int64).max  # (NaT sorts last)
    return rows.iloc[np.lexsort((rows.index.to_numpy(), due, late, tier))]


def _owner_order(owner: pd.Series, listed: list[str], unassigned: str) -> list[str]:
    present = set(owner)
    first = [o for o in listed if o in present]
    rest = sorted(present - set(first) - {unassigned})
    return first + rest + ([unassigned] if unassigned in present else [])


def _row_styles(codes: np.ndarray, late: np.ndarray) -> list[Style | None]:
    """Red for anything late (a first contact too), yellow for due today, a missed tier goal and the items
    not yet late (maintenance, churn warnings, win-back, greetings, thanks)."""
    out = np.full(len(codes), None, dtype=object)
    for code, style in _ROW_STYLE.items():
        out[codes == code] = style
    out[late > 0] = "error"
    out[(codes == "goal") | (np.isin(codes, ("rhythm", "churn", "winback", "greeting", "thanks", "complaint",
                                            "clash"))
                             & ~(late > 0))] = "warning"
    return out.tolist()


def _code_label(code: str, w: dict[str, str]) -> str:
    return w.get(f"group_{code}", w.get(code, code))


def _texts(values: pd.Series) -> np.ndarray:
    """`_text` of each value (blank for None / NaN)."""
    return values.where(values.notna(), "").astype(str).to_numpy(dtype=object)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)
