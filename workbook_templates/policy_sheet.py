"""The 参数 Policy sheet: every policy value in blocks with defined names, and reading it back.

Layout (columns from :data:`xlkpi.layout.POLICY_HEADERS`): A key path, B label, C value (or a
band's threshold), D a band's amount / rate, E the month a dated change takes effect, F note.
Row 1 holds the headers; rows with a blank A (section titles) are skipped when reading.

- a scalar is one row; its cell C is the defined name ``P_<path>`` (dots → ``_``);
- a scale is a block: its ``kind`` / ``inclusive`` / ``minimum`` rows, then one row per band
  (``<path>.brackets[i]``: threshold in C, amount or rate in D); ``P_<path>`` covers C:D;
- a keyed table (team.level_share, team.grade_bonus) shows the key's Chinese label in B;
  ``P_<path>`` covers B:C; a list of numbers or texts (fines.complaint_fines) covers C;
- a scorecard lists its items' codes, labels, points and extras in four runs, so
  ``P_scorecards_<key>_points`` and ``_extra`` are one-column blocks;
- dated changes (``changes``) come last in their own block, with the month in column E.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xlkpi.errors import PolicyError
from xlkpi.layout import GRADE_LABELS, LEVEL_LABELS, POLICY, POLICY_HEADERS
from xlkpi.messages import LANGS, get_lang, t
from xlkpi.policy import Policy
from xlkpi.policy_io import PolicyRow, parse_path, policy_from_rows, policy_to_rows

if TYPE_CHECKING:  # openpyxl only when writing: reading the sheet (every recalc) needs none
    from openpyxl.worksheet.worksheet import Worksheet

_BRACKET_LEAF = re.compile(
    r"^(?P<scale>.+)\.brackets\[(?P<i>\d+)\]\.(?P<key>threshold|amount|rate)$"
)
_BRACKET_ROW = re.compile(r"^(?P<scale>.+)\.brackets\[(?P<i>\d+)\]$")
_SCALE_SETTING = re.compile(r"^(?P<scale>.+)\.(kind|inclusive|minimum)$")
_ITEM_LEAF = re.compile(r"^(?P<card>scorecards\.[^.]+)\.items\[(?P<i>\d+)\]\.(?P<key>\w+)$")
_KEYED = {"team.level_share": LEVEL_LABELS, "team.grade_bonus": GRADE_LABELS}
_SECTION_TITLES = {
    "score": "评分",
    "perf_coeff": "绩效系数（A1）",
    "perf_bonus": "绩效奖金（A2）",
    "attendance": "全勤奖（A3，文件000）",
    "strict_attendance": "运营专员全勤奖（A3，文件001）",
    "commission": "提成方案（A4、A5）",
    "team": "团队提成（A6）",
    "review": "中差评修改（A7）",
    "allowances": "补贴与加班（A9）",
    "fines": "罚款（A10）",
    "discipline": "纪律扣分（A10）",
    "grades": "考核等级",
    "ranks": "客服等级（A11）",
    "warnings": "劝退预警（A11）",
    "streak_reward": "连续优秀奖励（A11）",
    "year_end": "年终奖（A9）",
    "plans": "薪资方案（§B）",
    "scorecards": "考核表（§C）",
    "tax": "个税与社保公积金",
}
CHANGES_TITLE = "按月生效的变更（从所填月份起生效）"


def name_of(path: str) -> str:
    """The defined name of a policy path: ``review.neutral`` → ``P_review_neutral``."""
    return "P_" + re.sub(r"[^0-9A-Za-z_]", "_", path.replace(".", "_"))


@dataclass
class _Line:
    """One sheet row: key, label, C, D, month, note."""

    key: str
    label: str = ""
    value: Any = None
    second: Any = None
    month: str | None = None
    note: str = ""


@dataclass
class _Plan:
    rows: list[_Line | str] = field(default_factory=list)  # str = a section title
    blocks: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)  # name → rows, cols


def _cell_value(value: Any) -> Any:
    """A policy value as a cell value (numbers as int/float built from the Decimal's text)."""
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and abs(value) < 10**15
            else float(str(value))
        )
    if isinstance(value, (list, dict)):
        return "[]" if isinstance(value, list) else "{}"
    return value


def _order(rows: list[PolicyRow]) -> list[PolicyRow]:
    """Base rows; each scorecard's item leaves grouped by field (codes, labels, points, extra)."""
    out: list[PolicyRow] = []
    pending: dict[str, dict[str, list[PolicyRow]]] = {}
    for row in rows:
        m = _ITEM_LEAF.match(row.path)
        if m:
            pending.setdefault(m["card"], {}).setdefault(m["key"], []).append(row)
            continue
        for card in [c for c in pending if not row.path.startswith(c + ".")]:
            for leaves in pending.pop(card).values():
                out.extend(leaves)
        out.append(row)
    for card in pending.values():
        for leaves in card.values():
            out.extend(leaves)
    return out


def _plan(policy: Policy) -> _Plan:
    plan = _Plan()
    base = [r for r in policy_to_rows(policy) if not r.effective_from]
    changes = [r for r in policy_to_rows(policy) if r.effective_from]
    section = ""
    pending_bracket: dict[str, _Line] = {}
    start: dict[str, int] = {}

    def note_block(name: str, first: int, last: int, cols: str) -> None:
        plan.blocks[name] = (first, last, cols[0], cols[-1])

    for row in _order(base):
        top = row.path.split(".", 1)[0].split("[", 1)[0]
        if top != section:
            section = top
            plan.rows.append(_SECTION_TITLES.get(top, top))
        index = len(plan.rows)  # the 1-based position of the last row so far
        bracket = _BRACKET_LEAF.match(row.path)
        if bracket:
            key = f"{bracket['scale']}.brackets[{bracket['i']}]"
            line = pending_bracket.get(key)
            if line is None:
                line = _Line(key, row.label, note=row.note)
                pending_bracket[key] = line
                plan.rows.append(line)
                index = len(plan.rows)
                start.setdefault(bracket["scale"], index)
            if bracket["key"] == "threshold":
                line.value = _cell_value(row.value)
            else:
                line.second = _cell_value(row.value)
            first = start[bracket["scale"]]
            note_block(name_of(bracket["scale"]), first, index, "CD")
            continue
        line = _Line(row.path, row.label, _cell_value(row.value), note=row.note)
        plan.rows.append(line)
        index = len(plan.rows)
        setting = _SCALE_SETTING.match(row.path)
        if setting:
            start.setdefault(setting["scale"], index)
        parent, _, leaf = row.path.rpartition(".")
        if parent in _KEYED:
            line.label = _KEYED[parent].get(leaf, leaf)
            start.setdefault(parent, index)
            note_block(name_of(parent), start[parent], index, "BC")
        item = _ITEM_LEAF.match(row.path)
        list_leaf = re.match(r"^(?P<list>[^\[]+)\[(?P<i>\d+)\]$", row.path)
        if item:
            block = f"{item['card']}.{item['key']}"
            start.setdefault(block, index)
            note_block(name_of(block), start[block], index, "C")
            if item["key"] == "label":
                line.label = "考核项目"
        elif list_leaf:
            start.setdefault(list_leaf["list"], index)
            note_block(name_of(list_leaf["list"]), start[list_leaf["list"]], index, "C")
        elif "[" not in row.path:
            note_block(name_of(row.path), index, index, "C")
            if row.path.startswith("grades."):
                start.setdefault("grades", index)
                note_block(name_of("grades"), start["grades"], index, "C")
    plan.rows.append(CHANGES_TITLE)
    for row in changes:
        plan.rows.append(
            _Line(
                row.path, row.label, _cell_value(row.value), month=row.effective_from, note=row.note
            )
        )
    return plan


def policy_for_month(policy: Policy, month: str | None) -> Policy:
    """What a month's workbook shows: the policy in force that month plus changes still pending."""
    if month is None:
        return policy
    pending = [c for c in policy.changes if c.effective_from > month]
    return policy.at(month).model_copy(update={"changes": pending})


def write_policy_sheet(ws: Worksheet, policy: Policy, month: str | None = None) -> dict[str, str]:
    """Write the policy on ``ws``; return the defined names (name → ``'参数'!$C$5:$D$9``).

    With ``month`` the sheet shows the policy in force that month and only later changes.
    """
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import quote_sheetname

    from workbook_templates.style import font

    title_font = font(bold=True, color="FFFFFF")
    title_fill = PatternFill("solid", fgColor="4F6D8F")
    note_font = font(italic=True, color="9C5700")
    plan = _plan(policy_for_month(policy, month))
    ws.append(list(POLICY_HEADERS))
    for cell in ws[1]:
        cell.font = font(bold=True)
    for item in plan.rows:
        if isinstance(item, str):
            ws.append([None, item])
            r = ws.max_row
            for col in "ABCDEF":
                ws[f"{col}{r}"].fill = title_fill
            ws[f"B{r}"].font = title_font
            continue
        ws.append([item.key, item.label, item.value, item.second, item.month, item.note or None])
        if item.note:
            ws[f"F{ws.max_row}"].font = note_font
    for col, width in zip("ABCDEF", (44, 30, 14, 12, 10, 60), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    ws["F1"].alignment = Alignment(wrap_text=False)
    sheet = quote_sheetname(ws.title)
    names = {}
    for name, (first, last, c1, c2) in plan.blocks.items():
        r1, r2 = first + 1, last + 1  # +1: the header row
        ref = f"${c1}${r1}" if (r1, c1) == (r2, c2) else f"${c1}${r1}:${c2}${r2}"
        names[name] = f"{sheet}!{ref}"
    return names


# ---------------------------------------------------------------- reading


def _read_value(value: Any) -> Any:
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else Decimal(repr(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m")
    if isinstance(value, date):
        return value.strftime("%Y-%m")
    if isinstance(value, str):
        return value.strip()
    return value


def _cell(row: list[object], index: int) -> Any:
    if index >= len(row):
        return None
    value = row[index]
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def read_policy_sheet(rows: list[list[object]], sheet_name: str = POLICY) -> Policy:
    """Rebuild the policy from the sheet's rows (as python-calamine returns them).

    Raises :class:`PolicyError` naming the cell (``参数!C12``), the value and the remedy.
    """
    flat: list[PolicyRow] = []
    where: dict[str, tuple[str, Any]] = {}
    for r, row in enumerate(rows[1:], start=2):
        key = _cell(row, 0)
        if key is None:
            continue
        path = str(key).strip()
        month_cell = _cell(row, 4)
        month = None if month_cell is None else str(_read_value(month_cell))
        try:
            parse_path(path)
        except PolicyError:
            cell = f"{sheet_name}!A{r}"
            detail = {lang: t("policy.sheet.bad_key", lang=lang) for lang in LANGS}
            remedy = {lang: t("policy.sheet.bad_key_remedy", lang=lang) for lang in LANGS}
            raise _sheet_error(path, cell, path, detail, remedy) from None
        bracket = _BRACKET_ROW.match(path)
        if bracket:
            second = "rate" if path.startswith("commission.") else "amount"
            for col, leaf in ((2, "threshold"), (3, second)):
                value = _cell(row, col)
                leaf_path = f"{path}.{leaf}"
                where[leaf_path] = (f"{sheet_name}!{'CD'[col - 2]}{r}", value)
                flat.append(PolicyRow(leaf_path, _read_value(value), month))
            continue
        value = _cell(row, 2)
        where[path] = (f"{sheet_name}!C{r}", value)
        flat.append(PolicyRow(path, _read_value(value), month))
    try:
        return policy_from_rows(flat, source=sheet_name)
    except PolicyError as exc:
        cell, value = _locate(exc.path, where)
        detail = {lang: exc.text(lang) for lang in LANGS}
        remedy = {lang: t("policy.sheet.remedy", lang=lang, sheet=sheet_name) for lang in LANGS}
        raise _sheet_error(exc.path, cell, value, detail, remedy) from None


def _sheet_error(
    path: str, cell: str, value: Any, detail: dict[str, str], remedy: dict[str, str]
) -> PolicyError:
    """A PolicyError at ``cell``: what is wrong, then how to put it right, in both languages."""
    texts = {
        lang: t(
            "policy.sheet.located",
            lang=lang,
            cell=cell,
            value=repr(value),
            message=detail[lang],
            remedy=remedy[lang],
        )
        for lang in LANGS
    }
    return PolicyError(
        texts[get_lang()], path, texts=texts, cell=cell, value=value, detail=detail, remedy=remedy
    )


def _locate(path: str, where: dict[str, tuple[str, Any]]) -> tuple[str, Any]:
    """The cell of ``path`` or of the nearest enclosing key written on the sheet."""
    probe = path
    while probe:
        if probe in where:
            return where[probe]
        matches = [k for k in where if k.startswith(probe + ".") or k.startswith(probe + "[")]
        if matches:
            return where[matches[0]]
        probe = probe.rpartition(".")[0]
    return f"{POLICY}!A1", None


@dataclass(frozen=True)
class SheetProblem:
    """A problem of the 参数 sheet's rows themselves (a duplicated or deleted key)."""

    cell: str
    value: Any
    message: str
    remedy: str
    message_en: str
    remedy_en: str


def sheet_row_problems(rows: list[list[object]], sheet_name: str = POLICY) -> list[SheetProblem]:
    """Duplicated keys (naming both rows) and deleted rows (a key the policy needs is absent).

    A deleted row is never replaced by a default: every fixed key of the policy (a value or a
    keyed table's entry; not the rows of a scale or list, whose length HR may change) must be
    on the sheet once. Dated changes (a month in column E) may repeat a key.
    """
    from xlkpi.policy_io import default_policy

    seen: dict[str, int] = {}
    found: list[str] = []
    out: list[SheetProblem] = []
    for r, row in enumerate(rows[1:], start=2):
        key = _cell(row, 0)
        if key is None:
            continue
        path = str(key).strip()
        if _cell(row, 4) is not None:
            continue
        if path in seen:
            out.append(
                SheetProblem(
                    f"A{r}",
                    path,
                    f"参数 {path} 出现两次(第{seen[path]}行和第{r}行),无法确定用哪一个",
                    "删除其中一行(保留正确的值);按月生效的变更请在E列填写生效月份",
                    f"the key {path} appears twice (rows {seen[path]} and {r})",
                    "delete one of the two rows; a dated change needs its month in column E",
                )
            )
            continue
        seen[path] = r
        found.append(path)
    present = set(seen)
    for leaf in {k.rsplit(".", 1)[0] + ".brackets" for k in present if "brackets[" in k}:
        present.add(leaf)
    previous_row = 1
    for row in policy_to_rows(default_policy()):
        path = row.path
        if row.effective_from or "[" in path:
            continue
        if path in present:
            previous_row = seen.get(path, previous_row)
            continue
        out.append(
            SheetProblem(
                f"A{previous_row + 1}",
                None,
                f"参数行 {path}({row.label})被删除;删除的行不会按默认值计算",
                "从模板把这一行复制回来(键、名称和值)",
                f"the policy row {path} ({row.label}) was deleted; it has no default",
                "copy the row back from the template (key, label and value)",
            )
        )
    return out
