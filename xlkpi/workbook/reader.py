"""Read a month workbook (python-calamine, one pass) into a Month, its policy and cell problems.

Every sheet is located by name and every column by its header text (``xlkpi.layout``), so a
column moved by a person is still found; a missing sheet or a renamed header is a problem naming
the sheet and the cell. Every number goes through :func:`xlkpi.money.to_decimal`; blank is never
read as zero. The reader never raises for bad *input*: it collects :class:`CellProblem` records
(sheet, cell, value, message, remedy) so ``xlkpi check`` can show them all at once. A file that
is not a workbook at all raises :class:`WorkbookError`.

The sheets come from :mod:`xlkpi.workbook.sheets`, each cell is converted by
:mod:`xlkpi.workbook.cells`, the meta keys live in :mod:`xlkpi.workbook.meta`, and the
fingerprints the month cycle relies on (:mod:`xlkpi.workbook.fingerprints`: ``input_hash``
covers every input cell and the policy sheet, never formula columns or the Payroll / Alerts /
meta sheets, which recalc writes) are taken as the workbook is read.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlkpi import layout
from xlkpi.errors import CellProblem, InputError, PolicyError, XlkpiError
from xlkpi.inputs import Employee, HistoryRecord, Month, MonthInput, Shop, TaxInput
from xlkpi.layout import (
    ATTENDANCE,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HISTORY,
    META,
    POLICY,
    ROSTER,
    SALES,
    SHOP_PLANS,
    SHOPS,
    SUPERVISOR_SELF,
    TEAMS,
    SheetLayout,
)
from xlkpi.money import ZERO, to_decimal
from xlkpi.payplans import PLAN_LABELS
from xlkpi.policy import Policy
from xlkpi.rules import scorecard_score
from xlkpi.workbook.cells import (
    FLOAT_CACHE,
    Problems,
    blank_problem,
    bool_value,
    convert_cell,
    date_value,
    fast_decimal,
    format_number,
    shown_value,
)
from xlkpi.workbook.fingerprints import combined_hash, input_fingerprints
from xlkpi.workbook.meta import (
    META_MONTH,
    META_SEAL_HASH,
    META_STATUS,
    MONTH_RE,
    STATUS_SEALED,
    read_meta,
)
from xlkpi.workbook.sheets import (
    CellError,
    Sheet,
    cell_text,
    is_blank,
    load_sheets,
    public_sales_cell,
    ref,
)

PLAN_REMEDY = "choose one of: " + "、".join(zh for zh, _en in PLAN_LABELS.values())


# ---------------------------------------------------------------------------------------------
# raw workbook access


# ---------------------------------------------------------------------------------------------
# value conversion


# ---------------------------------------------------------------------------------------------
# the result


@dataclass
class WorkbookContents:
    """What the reader found: the month (None when there are problems), policy and problems."""

    path: Path
    sheet_names: list[str]
    sheets: dict[str, Sheet]
    month: Month | None
    policy: Policy | None
    problems: list[CellProblem]
    meta: dict[str, str]
    meta_rows: dict[str, int]
    sheet_hashes: dict[str, str]
    roster_rows: dict[str, int] = field(default_factory=dict)
    id_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    month_name: str = ""
    warnings: list[CellProblem] = field(default_factory=list)
    lang: str = "zh"

    @property
    def ok(self) -> bool:
        """True when the month can be computed (no problems)."""
        return not self.problems and self.month is not None and self.policy is not None

    @property
    def input_hash(self) -> str:
        """Hash of every input cell, policy and history included."""
        return combined_hash(self.sheet_hashes)

    @property
    def status(self) -> str:
        """The meta status: new, recalculated or sealed ('' when unknown).

        A month whose meta holds a seal hash is sealed whatever its status cell says.
        """
        if self.meta.get(META_SEAL_HASH, ""):
            return STATUS_SEALED
        return self.meta.get(META_STATUS, "")

    def require_ok(self) -> tuple[Month, Policy]:
        """The month and policy, or WorkbookValidationError listing every problem."""
        from xlkpi.errors import WorkbookValidationError

        if not self.ok:
            raise WorkbookValidationError(self.problems)
        assert self.month is not None and self.policy is not None
        return self.month, self.policy


# ---------------------------------------------------------------------------------------------
# fingerprints


# ---------------------------------------------------------------------------------------------
# reading


def scorecard_columns(sheet: Sheet, key: str, policy: Policy) -> dict[str, int]:
    """Columns of a scorecard sheet: 'id', each item code and 'bonus_points' → 0-based column.

    An item's header is its label, its code, or its label followed by the points
    ("label(10)" / "label（10分）"); missing items are left out. The bonus column (加分) is
    optional.
    """
    card = policy.scorecards[key]
    out: dict[str, int] = {}
    if "工号" in sheet.headers:
        out["id"] = sheet.headers["工号"]
    normalised = {re.sub(r"[（(].*?[)）]\s*$", "", h).strip(): i for h, i in sheet.headers.items()}
    for item in card.items:
        for candidate in (item.label, item.code):
            if candidate in sheet.headers:
                out[item.code] = sheet.headers[candidate]
                break
            if candidate in normalised:
                out[item.code] = normalised[candidate]
                break
    if layout.SCORECARD_BONUS_HEADER in sheet.headers:
        out[BONUS] = sheet.headers[layout.SCORECARD_BONUS_HEADER]
    return out


BONUS = "bonus_points"


def _read_policy(sheets: dict[str, Sheet], problems: Problems) -> Policy | None:
    t = problems.t
    sheet = sheets.get(POLICY)
    if sheet is None:
        problems.add(
            POLICY,
            "A1",
            None,
            t(f"参数表「{POLICY}」缺失", f"the policy sheet {POLICY!r} is missing"),
            t(
                f"恢复名为「{POLICY}」的工作表(从模板复制)",
                f"restore a sheet named {POLICY!r} (copy it from the template)",
            ),
        )
        return None
    try:
        from workbook_templates.policy_sheet import read_policy_sheet, sheet_row_problems
    except ImportError:  # the template package is not installed: fall back to the defaults
        from xlkpi.policy_io import default_policy

        return default_policy()
    row_problems = sheet_row_problems(sheet.rows, POLICY)
    for p in row_problems:
        problems.add(POLICY, p.cell, p.value, t(p.message, p.message_en), t(p.remedy, p.remedy_en))
    try:
        policy = read_policy_sheet(sheet.rows, POLICY)
    except PolicyError as exc:
        lang = problems.lang
        if exc.cell:  # found at a cell of the sheet: what is wrong and how to put it right
            if not row_problems:
                message = exc.detail.get(lang, str(exc))
                problems.add(
                    POLICY,
                    exc.cell.rpartition("!")[2],
                    repr(exc.value),
                    t(f"参数值不正确:{message}", message),
                    exc.remedy.get(lang, t("按说明列改正该值,或从模板复制这一行", str(exc))),
                )
        elif not row_problems:
            text = exc.text(lang)
            cell = _find_text(sheet, exc.path) if exc.path else "A1"
            problems.add(
                POLICY,
                cell,
                exc.path,
                t(f"参数不正确:{text}", text),
                t("改正参数表上的值", "correct the value on the policy sheet"),
            )
        return None
    except XlkpiError as exc:
        problems.add(
            POLICY,
            "A1",
            None,
            t(f"参数表有误:{exc}", str(exc)),
            t("改正参数表", "correct the policy sheet"),
        )
        return None
    return None if row_problems else policy


def _find_text(sheet: Sheet, text: str) -> str:
    for r, row in enumerate(sheet.rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.strip() == text:
                return ref(c, r)
    return "A1"


def _require_headers(sheet: Sheet, sheet_layout: SheetLayout, problems: Problems) -> bool:
    ok = True
    t = problems.t
    for i, column in enumerate(sheet_layout.columns):
        if not column.is_input or column.header in sheet.headers:
            continue
        ok = False
        cell = ref(i, HEADER_ROW)
        problems.add(
            sheet.name,
            cell,
            sheet.value(HEADER_ROW, i),
            t(
                f"列标题「{column.header}」缺失或被改名",
                f"column header {column.header!r} ({column.field}) is missing or renamed",
            ),
            t(
                f"请在第{HEADER_ROW}行恢复标题「{column.header}」(与模板一致)",
                f"put the header {column.header!r} back in row {HEADER_ROW} (as in the template)",
            ),
        )
    return ok


def _missing_sheet(problems: Problems, name: str, english: str) -> None:
    problems.add(
        name,
        "A1",
        None,
        problems.t(
            f"工作表「{name}」缺失或被改名",
            f"the sheet {name!r} ({english}) is missing or renamed",
        ),
        problems.t(
            f"请把工作表改回「{name}」,或从模板复制该表",
            f"rename the sheet back to {name!r} or restore it from the template",
        ),
    )


def _sheet(sheets: dict[str, Sheet], sheet_layout: SheetLayout, problems: Problems) -> Sheet | None:
    sheet = sheets.get(sheet_layout.name)
    if sheet is None:
        _missing_sheet(problems, sheet_layout.name, sheet_layout.english)
        return None
    return sheet if _require_headers(sheet, sheet_layout, problems) else None


def _id_rows(sheet: Sheet, id_col: int, problems: Problems) -> dict[str, int]:
    """Employee id → row on a per-employee sheet; duplicates are problems."""
    seen: dict[str, int] = {}
    for r in range(FIRST_DATA_ROW, sheet.last_row + 1):
        raw = sheet.value(r, id_col)
        emp_id = cell_text(raw)
        if not emp_id:
            continue
        if emp_id in seen:
            problems.add(
                sheet.name,
                ref(id_col, r),
                raw,
                problems.t(
                    f"工号 {emp_id} 重复出现(第{seen[emp_id]}行也有)",
                    f"employee id {emp_id} appears twice (also row {seen[emp_id]})",
                ),
                problems.t(
                    "每个工号只能出现一次:删除重复的行,或给它一个自己的工号",
                    "each 工号 may appear once; delete the duplicate row or give it its own id",
                ),
            )
            continue
        seen[emp_id] = r
    problems.id_rows[sheet.name] = seen
    return seen


def _last_day(month: str) -> date | None:
    if not MONTH_RE.match(month):
        return None
    y, m = int(month[:4]), int(month[5:])
    return (date(y + m // 12, m % 12 + 1, 1)) - timedelta(days=1)


def _policy_amount(policy: Policy, path: str) -> Decimal | None:
    value: Any = policy
    for part in path.split("."):
        value = getattr(value, part, None)
    return value if isinstance(value, Decimal) else None


def _not_on_roster(problems: Problems, sheet: str, cell: str, emp_id: str) -> None:
    """A row whose employee id is not on the roster: a problem at its id cell."""
    t = problems.t
    problems.add(
        sheet,
        cell,
        emp_id,
        t(
            f"工号 {emp_id} 不在花名册({ROSTER.name})上",
            f"employee id {emp_id} is not on the roster ({ROSTER.name})",
        ),
        t(
            f"把 {emp_id} 加入{ROSTER.name},或删除此行",
            f"add {emp_id} to {ROSTER.name} or delete this row",
        ),
    )


def _read_roster(
    sheet: Sheet, policy: Policy | None, problems: Problems, month: str = ""
) -> tuple[list[Employee], dict[str, int]]:
    h = {c.field: sheet.headers[c.header] for c in ROSTER.columns if c.header in sheet.headers}
    rows = _id_rows(sheet, h["id"], problems)
    t = problems.t
    rank_codes: dict[str, str] = {}
    if policy is not None:
        for rung in policy.ranks.ladder:
            rank_codes[rung.name] = rung.name
            rank_codes[rung.label] = rung.name
    employees: list[Employee] = []
    name = ROSTER.name
    last_day = _last_day(month)
    for emp_id, r in rows.items():
        before = len(problems.items)

        cells = sheet.rows[r - 1]
        width = len(cells)

        def cell(fieldname: str, cells: list[Any] = cells, width: int = width) -> Any:
            col = h[fieldname]
            return cells[col] if col < width else ""

        def at(fieldname: str, r: int = r) -> str:
            return ref(h[fieldname], r)

        raw_name = cell("name")
        if is_blank(raw_name):
            problems.add(
                name,
                at("name"),
                raw_name,
                t("姓名为空", "the name is blank"),
                t("请填写员工姓名", "enter the employee's name"),
            )
        for fieldname in ("name", "team"):
            if fieldname in h and type(cell(fieldname)) is CellError:
                _error_problem(problems, name, at(fieldname), cell(fieldname), fieldname)
        raw_plan = cell("plan")
        plan = cell_text(raw_plan)
        plan = layout.PLAN_BY_LABEL.get(plan, plan)
        if plan not in PLAN_LABELS:
            problems.add(
                name,
                at("plan"),
                raw_plan,
                t("岗位/薪资方案为空", "the role is blank")
                if is_blank(raw_plan)
                else t("未知的岗位/薪资方案", "unknown role / pay plan"),
                t("请从下拉列表选择:", "choose one of: ")
                + "、".join(zh for zh, _en in PLAN_LABELS.values()),
            )
        raw_level = cell("level")
        level = layout.LEVEL_BY_LABEL.get(cell_text(raw_level), cell_text(raw_level))
        level_column = ROSTER.column("level")
        if is_blank(raw_level) and not level_column.reads(plan, policy):
            level = "staff"
        elif level not in layout.LEVEL_LABELS:
            problems.add(
                name,
                at("level"),
                raw_level,
                t("级别为空", "the level is blank")
                if is_blank(raw_level)
                else t("未知的级别", "unknown level"),
                t("请选择:", "choose one of: ") + "、".join(layout.LEVEL_LABELS.values()),
            )
        raw_hired = cell("hire_date")
        hired = date_value(raw_hired)
        if hired is None:
            problems.add(
                name,
                at("hire_date"),
                shown_value(raw_hired),
                t("入职日期为空", "the hire date is blank")
                if is_blank(raw_hired)
                else t("入职日期不是日期", "not a date"),
                t("请输入日期,例如 2024-03-01", "enter the hire date as a date, e.g. 2024-03-01"),
            )
        elif last_day is not None and hired > last_day:
            problems.add(
                name,
                at("hire_date"),
                raw_hired,
                t(
                    f"入职日期 {hired.isoformat()} 晚于本月({month})",
                    f"the hire date {hired.isoformat()} is after the month {month}",
                ),
                t(
                    "改正入职日期;下月入职的员工请下月再加入花名册",
                    "correct the date; add staff hired later in their first month",
                ),
            )
        raw_trial = cell("trial")
        trial = bool_value(raw_trial)
        if trial is None:
            problems.add(
                name,
                at("trial"),
                shown_value(raw_trial),
                t("试用期不是「是/否」", "not 是/否"),
                t("请选择 是 或 否", "enter 是 or 否"),
            )
        money: dict[str, Decimal] = {}
        for fieldname in ("base_pay", "post_pay"):
            column = ROSTER.column(fieldname)
            raw = cell(fieldname)
            if is_blank(raw):
                if column.reads(plan, policy) and plan in PLAN_LABELS:
                    blank_problem(problems, name, at(fieldname), raw, column)
                money[fieldname] = ZERO
                continue
            pct = (r, h[fieldname]) in sheet.percent_cells
            if type(raw) is float and 0.0 <= raw <= 1e6 and not pct:
                number: Any = fast_decimal(raw, fieldname)
            else:
                number = convert_cell(raw, column, (name, at(fieldname)), problems, None, pct)
            if number is None:
                continue
            money[fieldname] = Decimal(number)
            for replaced_plan, path in column.replaced:
                if plan != replaced_plan or policy is None:
                    continue
                if trial and path.endswith("base_regular"):
                    path = path.replace("base_regular", "base_trial")
                amount = _policy_amount(policy, path)
                if amount is not None and Decimal(number) not in (ZERO, amount):
                    problems.warn(
                        name,
                        at(fieldname),
                        raw,
                        t(
                            f"此方案的{column.header}按参数 {path} 计为 {format_number(amount)} 元,"
                            f"此处填写的 {format_number(Decimal(number))} 不会被使用",
                            f"this plan pays {column.header} as the policy's {path} "
                            f"({format_number(amount)}); the {format_number(Decimal(number))}"
                            " typed here is unused",
                        ),
                        t(
                            "留空此单元格,或到「参数」表修改该金额",
                            "leave the cell blank, or change the amount on 参数",
                        ),
                    )
        team = cell_text(cell("team")) if "team" in h else ""
        team_column = ROSTER.column("team")
        if not team and team_column.reads(plan, policy) and team_column.readers(policy):
            problems.add(
                name,
                at("team") if "team" in h else ref(0, r),
                None,
                t(
                    "团队(负责客服组)为空,此方案按小组计算绩效奖金",
                    "the team (customer-service group) is blank; this plan needs it",
                ),
                t(
                    f"填写该员工所在的客服组(与「{SHOPS.name}」表的负责客服组一致)",
                    f"enter the employee's group (as on {SHOPS.name})",
                ),
            )
        rank = "trial"
        if "rank" in h:
            raw_rank = cell("rank")
            rank_text = cell_text(raw_rank)
            if rank_text:
                if rank_codes and rank_text not in rank_codes:
                    problems.add(
                        name,
                        at("rank"),
                        raw_rank,
                        t("未知的客服等级", "unknown customer-service rank"),
                        t("请选择:", "choose one of: ")
                        + "、".join(r.label for r in (policy.ranks.ladder if policy else [])),
                    )
                rank = rank_codes.get(rank_text, rank_text)
            elif plan in (policy.ranks.plans if policy else ()):
                rank = "trial"
            else:
                rank = ""
        if len(problems.items) == before:
            assert hired is not None and trial is not None
            employees.append(
                Employee(
                    emp_id,
                    cell_text(raw_name),
                    plan,
                    hired,
                    money["base_pay"],
                    money["post_pay"],
                    level,
                    trial,
                    team,
                    rank,
                )
            )
    return employees, rows


def _error_problem(problems: Problems, sheet: str, cell: str, value: Any, header: str) -> None:
    """A text cell holding a cached error value (a formula that failed)."""
    problems.add(
        sheet,
        cell,
        value,
        problems.t(
            f"此单元格是错误值 {value}(公式出错)", f"the cell holds the error value {value}"
        ),
        problems.t("改正公式,或直接输入文字", "correct the formula or type the text"),
    )


def _not_read_problem(
    problems: Problems, sheet: str, cell: str, value: Any, column: layout.Column, plan: str
) -> None:
    t = problems.t
    label = PLAN_LABELS.get(plan, (plan, plan))
    problems.add(
        sheet,
        cell,
        value,
        t(
            f"「{label[0]}」方案不读取{column.header},此处的值不会计入工资",
            f"the plan {label[1]} does not read {column.header}; this value would be ignored",
        ),
        t(
            "清空此单元格;如果员工的方案不对,请在花名册改正岗位/薪资方案",
            "clear the cell; if the plan is wrong, correct it on the roster",
        ),
    )


def _is_skip(value: Any, lang: str = "zh") -> bool:
    """Blank, 不适用 (N/A in English), or a typed 0: what a cell a plan does not read may hold."""
    if value is None:
        return True
    if isinstance(value, str):  # inline: called for every cell a plan does not read
        text = value.strip()
        if not text or text == layout.NOT_APPLICABLE:
            return True
        return lang == "en" and text == layout.NOT_APPLICABLE_EN
    return type(value) in (int, float) and value == 0


def _applicable_problem(
    problems: Problems, sheet: str, cell: str, value: Any, column: layout.Column, plan: str
) -> None:
    """不适用 typed in a column the employee's plan reads: the value is needed."""
    t = problems.t
    kind = layout.KINDS[column.kind]
    label = PLAN_LABELS.get(plan, (plan, plan))
    problems.add(
        sheet,
        cell,
        value,
        t(
            f"「{label[0]}」方案要读取{column.header}，不能填「不适用」",
            f"the plan {label[1]} reads {column.header}; it cannot be N/A",
        ),
        t(
            f"该岗位方案需要此项，请填写：{kind.remedy}",
            f"this plan needs the value: {kind.remedy_en or 'fill it in'}",
        ),
    )


ReadsFn = Any  # Callable[[Column, str], bool]


def _read_inputs(
    sheet: Sheet,
    sheet_layout: SheetLayout,
    roster_rows: dict[str, int],
    wanted: set[str],
    problems: Problems,
    maximum: Decimal | None,
    plan_of: dict[str, str] | None = None,
    policy: Policy | None = None,
    reads: ReadsFn = None,
) -> dict[str, dict[str, Any]]:
    """Per employee id, the converted values of the sheet's input columns.

    A column the employee's plan reads: blank per the column's blank meaning (required → a
    problem), else converted by kind. A column it does not read: blank, 不适用 or 0, anything
    else is a problem. ``wanted`` are the ids that must have a row (plans reading a required
    column here); ``reads(column, plan)`` overrides which plan reads which column.
    """
    id_col = sheet.headers[sheet_layout.column("id").header]
    rows = _id_rows(sheet, id_col, problems)
    t = problems.t
    plan_of = plan_of or {}
    columns = [
        (c, sheet.headers[c.header])
        for c in sheet_layout.columns
        if c.field != "id" and c.is_input and c.header in sheet.headers
    ]
    readers_of = {c.field: c.readers(policy) for c, _col in columns}

    def plan_reads(column: layout.Column, plan: str) -> bool:
        if reads is not None:
            return bool(reads(column, plan))
        readers = readers_of[column.field]
        return readers is None or plan in readers

    # the fast path's bound per column: the highest plain non-negative number taken as it is
    # (-inf: none, the column is a choice or unbounded; a float, exact for a number at most
    # the bound, the float nearest it being the one its text reads as)
    highs = []
    for column, _col in columns:
        high = column.bounds(maximum)[1]
        highs.append(float("-inf") if high is None or column.kind == "choice" else float(high))
    # per plan, once: (column, index, field, read by the plan, fast-path bound)
    specs = {
        plan: [
            (column, col, column.field, plan is None or plan_reads(column, plan), fast)
            for (column, col), fast in zip(columns, highs, strict=True)
        ]
        for plan in {plan_of.get(emp_id) for emp_id in rows}
    }

    percent = sheet.percent_cells
    cache = FLOAT_CACHE
    lang = problems.lang
    out: dict[str, dict[str, Any]] = {}
    for emp_id, r in rows.items():
        if emp_id not in roster_rows:
            _not_on_roster(problems, sheet.name, ref(id_col, r), emp_id)
            continue
        plan = plan_of.get(emp_id)
        cells = sheet.rows[r - 1]
        width = len(cells)
        values: dict[str, Any] = {}
        for column, col, fieldname, read, fast in specs[plan]:
            raw = cells[col] if col < width else ""
            if not read:
                if not _is_skip(raw, lang):
                    _not_read_problem(problems, sheet.name, ref(col, r), raw, column, plan or "")
                continue
            if type(raw) is float and 0.0 <= raw <= fast and (r, col) not in percent:
                if column.kind == "count":
                    if raw.is_integer():
                        values[fieldname] = int(raw)
                        continue
                else:
                    number = cache.get(raw)
                    if number is None:
                        number = to_decimal(raw)
                        if len(cache) < 100_000:
                            cache[raw] = number
                    values[fieldname] = number
                    continue
            if is_blank(raw) or (plan is None and layout.is_not_applicable(raw, lang)):
                meaning = column.blank_means
                if meaning == layout.BLANK_REQUIRED and plan is not None:
                    if not _blank_allowed(column, plan, cells, sheet, sheet_layout):
                        note = ""
                        if fieldname == "target" and plan in layout.TARGET_OPTIONAL_FOR:
                            note = t("(任务完成系数也为空)", " (the task coefficient is blank)")
                        blank_problem(problems, sheet.name, ref(col, r), raw, column, note)
                values[fieldname] = None
                continue
            if layout.is_not_applicable(raw, lang):
                _applicable_problem(problems, sheet.name, ref(col, r), raw, column, plan or "")
                values[fieldname] = None
                continue
            values[fieldname] = convert_cell(
                raw, column, (sheet.name, ref(col, r)), problems, maximum, (r, col) in percent
            )
        out[emp_id] = values
    for emp_id in sorted(wanted - set(rows), key=lambda e: roster_rows[e]):
        problems.add(
            ROSTER.name,
            ref(0, roster_rows[emp_id]),
            emp_id,
            t(
                f"员工 {emp_id} 在「{sheet.name}」表上没有行",
                f"employee {emp_id} has no row on {sheet.name}",
            ),
            t(
                f"在「{sheet.name}」表加一行(A列填工号 {emp_id})并填写",
                f"add a row for {emp_id} to {sheet.name} (工号 in column A) and fill it in",
            ),
        )
    return out


def _blank_allowed(
    column: layout.Column, plan: str, cells: list[Any], sheet: Sheet, sheet_layout: SheetLayout
) -> bool:
    """A required column left blank where another cell stands in (the store manager's target)."""
    if column.field == "target" and plan in layout.TARGET_OPTIONAL_FOR:
        header = sheet_layout.column("task_coefficient").header
        col = sheet.headers.get(header)
        if col is not None and col < len(cells) and not is_blank(cells[col]):
            return True
    return False


def _wanted(
    sheet_layout: SheetLayout, plan_of: dict[str, str], policy: Policy | None, reads: ReadsFn = None
) -> set[str]:
    """Ids whose plan reads a required column of the sheet: they need a row there."""
    required = [
        c
        for c in sheet_layout.columns
        if c.is_input and c.field != "id" and c.required and c.blank_means == layout.BLANK_REQUIRED
    ]
    needs = {  # per plan, once
        plan: any(
            reads(column, plan) if reads is not None else column.reads(plan, policy)
            for column in required
        )
        for plan in set(plan_of.values())
    }
    return {emp_id for emp_id, plan in plan_of.items() if needs[plan]}


def _read_scorecard(
    sheets: dict[str, Sheet],
    key: str,
    policy: Policy,
    staff: set[str],
    roster_rows: dict[str, int],
    problems: Problems,
    plan_of: dict[str, str] | None = None,
) -> dict[str, Decimal]:
    """Scores from one scorecard sheet: item points (each at most its maximum) plus 加分.

    A blank item is missing (a problem at its cell), never 0; a row with no points at all is
    one problem (not yet appraised). A row of an employee whose plan this card does not score,
    with points typed, is a problem naming the sheet where that plan is scored.
    """
    t = problems.t
    name = layout.SCORECARD_SHEETS.get(key, key)
    card = policy.scorecards[key]
    plan_of = plan_of or {}
    sheet = sheets.get(name)
    if sheet is None:
        problems.add(
            name,
            "A1",
            None,
            t(
                f"考核表「{name}」({card.label})缺失",
                f"the scorecard sheet {name!r} ({card.label}) is missing",
            ),
            t(
                f"请把工作表改回「{name}」,或从模板复制该表",
                f"rename the sheet back to {name!r} or restore it from the template",
            ),
        )
        return {}
    cols = scorecard_columns(sheet, key, policy)
    missing = [item for item in card.items if item.code not in cols]
    for item in missing:
        expected = 2 + card.items.index(item)  # where the template puts it (after 工号, 姓名)
        problems.add(
            name,
            ref(expected, HEADER_ROW),
            sheet.value(HEADER_ROW, expected) or None,
            t(f"缺少考核项「{item.label}」的列", f"no column for item {item.label!r}"),
            t(
                f"请在第{HEADER_ROW}行恢复标题「{item.label}」",
                f"put the header {item.label!r} back in row {HEADER_ROW}",
            ),
        )
    if "id" not in cols:
        problems.add(
            name,
            "A1",
            sheet.value(HEADER_ROW, 0),
            t("列标题「工号」缺失", "column header '工号' is missing"),
            t(
                f"请在第{HEADER_ROW}行恢复标题「工号」",
                f"put the header '工号' back in row {HEADER_ROW}",
            ),
        )
    if missing or "id" not in cols:
        return {}
    rows = _id_rows(sheet, cols["id"], problems)
    items = [(item, cols[item.code]) for item in card.items]
    bonus_col = cols.get(BONUS)
    # the fast path's bound per item, as a float (exact for a plain number at most it: the
    # float nearest the maximum is the one its text reads as)
    highs = [(item, col, float(item.maximum)) for item, col in items]
    percent = sheet.percent_cells
    point_cols = [col for _item, col in items] + ([bonus_col] if bonus_col is not None else [])
    maxima = {  # per plan, once
        plan: layout.score_maximum(policy, plan) for plan in {plan_of.get(e) for e in rows}
    }
    scores: dict[str, Decimal] = {}
    for emp_id, r in rows.items():
        if emp_id not in roster_rows:
            _not_on_roster(problems, name, ref(cols["id"], r), emp_id)
            continue
        if emp_id not in staff:
            typed = [c for c in point_cols if not _is_skip(sheet.value(r, c))]
            if typed and emp_id in plan_of:
                plan = plan_of[emp_id]
                right = layout.scorecard_of(plan, policy)
                if right is not None:
                    where_zh = f"「{layout.SCORECARD_SHEETS.get(right, right)}」"
                elif layout.READS["score"].__contains__(plan):
                    where_zh = f"「{SUPERVISOR_SELF.name}」"
                else:
                    where_zh = ""
                label = PLAN_LABELS.get(plan, (plan, plan))
                problems.add(
                    name,
                    ref(typed[0], r),
                    sheet.value(r, typed[0]),
                    t(
                        f"本表不给「{label[0]}」方案评分,这里的分数不会计入工资",
                        f"this scorecard does not score the plan {label[1]}",
                    ),
                    t(
                        f"删除此行;该员工的分数请录入{where_zh}"
                        if where_zh
                        else "删除此行;该员工的方案不用考核分",
                        f"delete the row; score this employee on {where_zh or 'no sheet'}",
                    ),
                )
            continue
        if all(is_blank(sheet.value(r, col)) for _item, col in items):
            problems.add(
                name,
                ref(items[0][1], r),
                None,
                t(
                    f"{emp_id} 的考核分未填写(共{len(items)}项)",
                    f"no appraisal points entered for {emp_id}",
                ),
                t(
                    "请填写每一项的得分(没有得分的项填0)",
                    "enter the points of every item (0 where none were earned)",
                ),
            )
            continue
        total = ZERO
        bad = False
        cells = sheet.rows[r - 1]
        width = len(cells)
        for item, col, high in highs:
            raw = cells[col] if col < width else ""
            if type(raw) is float and 0.0 <= raw <= high and (r, col) not in percent:
                total += fast_decimal(raw, "points")
                continue
            where = (name, ref(col, r))
            column = layout.Column(item.code, item.label, "points", True, maximum=item.maximum)
            if is_blank(raw):
                problems.add(
                    name,
                    where[1],
                    raw,
                    t(
                        f"考核项「{item.label}」为空;空白不算0分",
                        f"the item {item.label!r} is blank; a blank is not 0",
                    ),
                    t(
                        f"填写0到{format_number(item.maximum)}分(没有得分填0)",
                        f"enter 0 to {format_number(item.maximum)} points (0 if none)",
                    ),
                )
                bad = True
                continue
            number = convert_cell(raw, column, where, problems, None, (r, col) in percent)
            if number is None:
                bad = True
            else:
                total += Decimal(number)
        maximum = maxima[plan_of.get(emp_id)]
        if bonus_col is not None and not is_blank(sheet.value(r, bonus_col)):
            raw = sheet.value(r, bonus_col)
            column = layout.Column(BONUS, layout.SCORECARD_BONUS_HEADER, "points", maximum=maximum)
            number = convert_cell(
                raw, column, (name, ref(bonus_col, r)), problems, None, (r, bonus_col) in percent
            )
            if number is None:
                bad = True
            else:
                total += Decimal(number)
        if bad:
            continue
        # rules.md A8: points ÷ the card's full points × 100, up to the plan's maximum
        scores[emp_id] = scorecard_score(total, card.total, maximum)
    for emp_id in sorted(staff - set(rows), key=lambda e: roster_rows[e]):
        problems.add(
            ROSTER.name,
            ref(0, roster_rows[emp_id]),
            emp_id,
            t(
                f"员工 {emp_id} 在「{name}」表上没有行",
                f"employee {emp_id} has no row on {name}",
            ),
            t(
                f"在「{name}」表为 {emp_id} 加一行并填写各项得分",
                f"add a row for {emp_id} to {name} and fill in the points",
            ),
        )
    return scores


def _supervisor_reads(policy: Policy | None) -> ReadsFn:
    """Plans scored on 主管自评: they read the score and no scorecard scores them."""
    score = layout.SCORE_COLUMN

    def reads(column: layout.Column, plan: str) -> bool:
        return score.reads(plan, policy) and (
            policy is None or layout.scorecard_of(plan, policy) is None
        )

    return reads


def _read_supervisor_self(
    sheet: Sheet,
    policy: Policy,
    staff: set[str],
    roster_rows: dict[str, int],
    problems: Problems,
    plan_of: dict[str, str] | None = None,
) -> dict[str, Decimal]:
    reads = _supervisor_reads(policy)
    out: dict[str, Decimal] = {}
    by_plan: dict[str, set[str]] = {}
    for emp_id in staff:
        by_plan.setdefault((plan_of or {}).get(emp_id, ""), set()).add(emp_id)
    values: dict[str, dict[str, Any]] = {}
    # one pass; the score maximum is per plan, so rows are checked against their plan's maximum
    all_values = _read_inputs(
        sheet,
        SUPERVISOR_SELF,
        roster_rows,
        staff,
        problems,
        policy.score.maximum,
        plan_of,
        policy,
        reads,
    )
    values.update(all_values)
    w_sup, w_self = policy.score.supervisor_weight, policy.score.self_weight
    for emp_id in staff:
        v = values.get(emp_id)
        if v and v.get("supervisor") is not None and v.get("self") is not None:
            plan = (plan_of or {}).get(emp_id)
            top = layout.score_maximum(policy, plan)
            row = problems.id_rows.get(SUPERVISOR_SELF.name, {}).get(emp_id, 0)
            over = False
            for fieldname in ("supervisor", "self"):
                if v[fieldname] > top:
                    col = sheet.headers[SUPERVISOR_SELF.column(fieldname).header]
                    problems.add(
                        sheet.name,
                        ref(col, row),
                        float(v[fieldname]),
                        problems.t(
                            f"分数 {format_number(v[fieldname])} "
                            f"超过此方案的评分上限 {format_number(top)}",
                            f"score {v[fieldname]} is over the plan's maximum {top}",
                        ),
                        problems.t(
                            f"请输入0到{format_number(top)}之间的分数",
                            f"enter 0 to {format_number(top)}",
                        ),
                    )
                    over = True
            if not over:
                out[emp_id] = w_sup * v["supervisor"] + w_self * v["self"]
    return out


def _read_public_sales(
    sheets: dict[str, Sheet], problems: Problems, needed: bool
) -> Decimal | None:
    """The month's public sales (2017 standard): right of its label on 店铺 (or 团队目标)."""
    t = problems.t
    column = layout.PUBLIC_SALES_COLUMN
    for name in (SHOPS.name, TEAMS.name):
        sheet = sheets.get(name)
        where = public_sales_cell(sheet) if sheet is not None else None
        if sheet is None or where is None:
            continue
        r, c = where
        raw = sheet.value(r, c)
        if is_blank(raw):
            if needed:
                blank_problem(problems, name, ref(c, r), raw, column)
            return None
        n = convert_cell(
            raw, column, (name, ref(c, r)), problems, None, (r, c) in sheet.percent_cells
        )
        return None if n is None else Decimal(n)
    if needed:
        problems.add(
            SHOPS.name,
            "A1",
            None,
            t(
                f"找不到标签「{layout.PUBLIC_SALES_LABEL}」",
                f"the label {layout.PUBLIC_SALES_LABEL!r} is missing",
            ),
            t(
                f"在「{SHOPS.name}」表某个单元格写「{layout.PUBLIC_SALES_LABEL}」,"
                "并在它右边的单元格填写本月公共销售业绩",
                f"put {layout.PUBLIC_SALES_LABEL!r} in a cell and the month's public sales "
                "in the cell to its right",
            ),
        )
    return None


def _read_teams(sheet: Sheet, problems: Problems) -> dict[str, Decimal]:
    """The first version's team targets (团队目标), when the sheet is there."""
    team_col = sheet.headers.get(TEAMS.column("team").header)
    target_col = sheet.headers.get(TEAMS.column("target").header)
    if team_col is None or target_col is None:
        return {}
    t = problems.t
    column = TEAMS.column("target")
    targets: dict[str, Decimal] = {}
    for r in range(FIRST_DATA_ROW, sheet.last_row + 1):
        raw_team = sheet.value(r, team_col)
        team = cell_text(raw_team)
        if not team or team == layout.PUBLIC_SALES_LABEL:
            continue
        if team in targets:
            problems.add(
                sheet.name,
                ref(team_col, r),
                raw_team,
                t(f"团队 {team} 出现两次", f"team {team} appears twice"),
                t("每个团队只列一次", "list each team once"),
            )
            continue
        raw = sheet.value(r, target_col)
        where = (sheet.name, ref(target_col, r))
        if is_blank(raw):
            blank_problem(problems, sheet.name, where[1], raw, column)
            continue
        n = convert_cell(raw, column, where, problems, None, (r, target_col) in sheet.percent_cells)
        if n is not None:
            targets[team] = Decimal(n)
    return targets


def _read_shops(sheet: Sheet, problems: Problems, needed: bool) -> tuple[list[Shop], set[str]]:
    """店铺: one row per shop (name, orders, returns, shipping paid, target, group).

    Also every group named on a row, valid or not (a bad row is one problem, at its cell);
    None when a group cell is unreadable.
    """
    t = problems.t
    cols = {c.field: sheet.headers[c.header] for c in SHOPS.inputs if c.header in sheet.headers}
    shops: list[Shop] = []
    groups: set[str] = set()
    unreadable = False  # a group cell holding an error value: which groups exist is unknown
    seen: dict[str, int] = {}
    for r in range(FIRST_DATA_ROW, sheet.last_row + 1):
        cells = [sheet.value(r, cols[f]) for f in cols]
        if all(is_blank(v) for v in cells):
            continue
        raw_name = sheet.value(r, cols["name"])
        shop = cell_text(raw_name)
        if "group" in cols:
            raw_group = sheet.value(r, cols["group"])
            unreadable = unreadable or type(raw_group) is CellError
            groups.add(cell_text(raw_group))
        errors = [
            f for f in ("name", "group") if f in cols and type(sheet.value(r, cols[f])) is CellError
        ]
        for f in errors:
            _error_problem(problems, sheet.name, ref(cols[f], r), sheet.value(r, cols[f]), f)
        if errors:
            continue
        if not shop:
            problems.add(
                sheet.name,
                ref(cols["name"], r),
                None,
                t("店铺名称为空", "the shop name is blank"),
                t("填写店铺名称,或清空整行", "enter the shop's name, or clear the row"),
            )
            continue
        if shop in seen:
            problems.add(
                sheet.name,
                ref(cols["name"], r),
                raw_name,
                t(
                    f"店铺 {shop} 出现两次(第{seen[shop]}行也有)",
                    f"shop {shop} appears twice (also row {seen[shop]})",
                ),
                t("每个店铺只列一次", "list each shop once"),
            )
            continue
        seen[shop] = r
        values: dict[str, Any] = {}
        bad = False
        for column in SHOPS.inputs:
            if column.field in ("name", "group") or column.field not in cols:
                continue
            col = cols[column.field]
            raw = sheet.value(r, col)
            where = (sheet.name, ref(col, r))
            if is_blank(raw):
                if column.blank_means == layout.BLANK_REQUIRED:
                    blank_problem(problems, sheet.name, where[1], raw, column)
                    bad = True
                continue
            n = convert_cell(raw, column, where, problems, None, (r, col) in sheet.percent_cells)
            if n is None:
                bad = True
            else:
                values[column.field] = Decimal(n)
        if bad:
            continue
        group = cell_text(sheet.value(r, cols["group"])) if "group" in cols else ""
        shops.append(
            Shop(
                shop,
                values["orders"],
                values.get("returns", ZERO),
                values.get("shipping_paid", ZERO),
                values.get("target"),
                group,
            )
        )
    if needed and not seen:
        problems.add(
            sheet.name,
            ref(cols.get("name", 0), FIRST_DATA_ROW),
            None,
            t(
                "没有店铺:电商部的提成池和小组奖金按店铺计算",
                "no shops: the e-commerce pool and group bonus come from the shops",
            ),
            t(
                "每个店铺填一行:名称、下单金额、退货金额、月目标、负责客服组",
                "enter one row per shop: name, orders, returns, target, group",
            ),
        )
    return shops, (None if unreadable else groups - {""})


def _read_tax_inputs(
    sheet: Sheet, roster_rows: dict[str, int], policy: Policy, problems: Problems
) -> dict[str, TaxInput]:
    """专项附加扣除 per employee: blank is 0 (the base: the roster's); an item above its policy
    cap is a problem at its cell (:func:`xlkpi.tax.additional_deductions.deduction_problems`)."""
    from xlkpi.tax.additional_deductions import deduction_problems

    sheet_layout = layout.TAX_INPUTS
    values = _read_inputs(sheet, sheet_layout, roster_rows, set(), problems, None)
    rows = problems.id_rows[sheet.name]
    out: dict[str, TaxInput] = {}
    for emp_id, fields in values.items():
        given = {k: v for k, v in fields.items() if v is not None}
        entry = TaxInput(emp_id, **given)
        for fieldname, message in deduction_problems(entry, policy, problems.lang):
            col = sheet.headers[sheet_layout.column(fieldname).header]
            problems.add(
                sheet.name,
                ref(col, rows[emp_id]),
                sheet.value(rows[emp_id], col),
                message,
                problems.t(
                    "按「参数」表 tax.caps 的上限或实际金额填写",
                    "enter at most the cap of tax.caps on the 参数 sheet, or the actual amount",
                ),
            )
        out[emp_id] = entry
    return out


def _read_history(sheet: Sheet | None, problems: Problems) -> list[HistoryRecord]:
    t = problems.t
    if sheet is None:
        _missing_sheet(problems, HISTORY.name, HISTORY.english)
        return []
    h = {c.field: sheet.headers[c.header] for c in HISTORY.columns if c.header in sheet.headers}
    for fieldname, header in layout.HISTORY_OLD_HEADERS.items():  # an older workbook's header
        if fieldname not in h and header in sheet.headers:
            h[fieldname] = sheet.headers[header]
    ledger = [(f, h[f], HISTORY.column(f).header) for f in _LEDGER_READ if f in h]
    if "income" not in h and sheet.last_row > HEADER_ROW:  # an older 历史: no tax ledger yet
        problems.warn(
            HISTORY.name,
            "A1",
            None,
            t(
                "「历史」表没有个税累计台账列(本期收入等):本年的累计预扣从本月开始计算,"
                "本月之前各月的收入、扣除和已预扣个税不计入",
                "History has no tax-ledger columns (本期收入 …): the year's cumulative "
                "withholding starts with this month; earlier months are not counted",
            ),
            t(
                "年中启用时这是预期的;new-month 会在「历史」表补上台账列。"
                "如需完整累计,请按个税系统的累计数核对本月个税",
                "expected when starting mid-year; new-month adds the ledger columns to 历史. "
                "Check this month's tax against the tax system's year-to-date figures",
            ),
        )
    needed = ("month", "id", "score", "grade", "coefficient", "total")
    missing = [HISTORY.column(f).header for f in needed if f not in h]
    if missing:
        problems.add(
            HISTORY.name,
            "A1",
            None,
            t(
                f"历史表缺少列标题:{'、'.join(missing)}",
                f"history headers missing: {', '.join(missing)}",
            ),
            t(
                "从模板恢复「历史」表的标题行",
                "restore the History sheet's header row from the template",
            ),
        )
        return []
    grade_codes = {v: k for k, v in layout.GRADE_LABELS.items()} | {
        k: k for k in layout.GRADE_LABELS
    }
    records: list[HistoryRecord] = []
    item_keys = [(f, f"item:{f}") for f in layout.TAX_ITEM_HEADERS]
    # each row padded to the columns read: cells[c] is what sheet.value(r, c) gives, without a
    # call per cell (a History holds a row per employee and month)
    width = max(h.values()) + 1
    pad: list[Any] = [""] * width
    rows = sheet.rows
    for r in range(FIRST_DATA_ROW, sheet.last_row + 1):
        cells = rows[r - 1]
        if len(cells) < width:
            cells = cells + pad[len(cells) :]
        month = cell_text(cells[h["month"]])
        emp_id = cell_text(cells[h["id"]])
        if not month and not emp_id:
            continue
        where = HISTORY.name
        if not MONTH_RE.match(month):
            problems.add(
                where,
                ref(h["month"], r),
                cells[h["month"]],
                t("不是月份", "not a month"),
                t("请按 YYYY-MM 写月份,例如 2026-10", "write the month as YYYY-MM, e.g. 2026-10"),
            )
            continue
        try:
            raw_score = cells[h["score"]]
            score = None if is_blank(raw_score) else fast_decimal(raw_score, "score")
            grade = grade_codes.get(cell_text(cells[h["grade"]]), "")
            coefficient = fast_decimal(cells[h["coefficient"]] or 0, "coefficient")
            total = fast_decimal(cells[h["total"]] or 0, "total")
            complaints = 0
            if "complaints" in h and not is_blank(cells[h["complaints"]]):
                complaints = int(to_decimal(cells[h["complaints"]], "complaints"))
            figures: dict[str, Decimal] = {}
            for fieldname, col, header in ledger:
                raw = cells[col]
                if type(raw) is float or not is_blank(raw):  # a number, the usual case, first
                    figures[fieldname] = fast_decimal(raw, header)
            bad = False  # an old 历史 sheet without 不良记录: the complaint count decides
            if "bad_record" in h and not is_blank(cells[h["bad_record"]]):
                bad = _history_bool(cells[h["bad_record"]])
        except (InputError, ValueError, OverflowError) as exc:
            problems.add(
                where,
                f"A{r}",
                month,
                t(f"历史行无法读取({exc})", f"history row is unreadable ({exc})"),
                t("改正或删除该行", "correct the row or delete it"),
            )
            continue
        rank = cell_text(cells[h["rank"]]) if "rank" in h else ""
        items = tuple(
            (f, amount) for f, key in item_keys if (amount := figures.get(key))
        )  # the additional-deduction items with an amount
        records.append(
            HistoryRecord(
                month,
                emp_id,
                score,
                grade,
                coefficient,
                total,
                rank,
                complaints,
                bad,
                gross=figures.get("income", ZERO),
                social_insurance=figures.get("social_insurance", ZERO),
                additional_deductions=sum((a for _f, a in items), ZERO),
                other_deductions=figures.get("other_deductions", ZERO),
                tax_withheld=figures.get("tax_withheld", ZERO),
                additional_items=items,
                in_ledger="income" in figures,
            )
        )
    return records


# The 历史 ledger columns read back (the month's own figures; the cumulative ones are shown only).
_LEDGER_READ: tuple[str, ...] = (
    "income",
    "social_insurance",
    *(f"item:{f}" for f in layout.TAX_ITEM_HEADERS),
    "other_deductions",
    "tax_withheld",
)


def _history_bool(value: object) -> bool:
    """A 是/否 cell of the History (read as every 是/否 column is); anything else is unreadable."""
    flag = bool_value(value)
    if flag is None:
        raise ValueError(f"不良记录为“{cell_text(value)}”：请填写 是 或 否")
    return flag


# Sheets a month's reading never needs: outputs that every recalc rewrites whole.
NOT_READ = (layout.LAST_RECALC,)


def read_workbook(
    path: Path,
    lang: str | None = None,
    heads_only: Iterable[str] = (),
    header_only: Iterable[str] = (),
) -> WorkbookContents:
    """Read a month workbook: Month, policy, every problem found, meta and the input fingerprint.

    Messages follow ``lang`` ("zh" / "en"), else the workbook's meta ``lang``, else Chinese.
    Of the sheets in ``heads_only`` only row 1 and the first column are read, of those in
    ``header_only`` row 1 alone (see :func:`load_sheets`); the
    add-in's hidden copy of the last recalc (:data:`NOT_READ`), an output no rule reads back,
    not at all. Raises WorkbookError only when the file cannot be read at all.
    """
    path = Path(path)
    with gc_paused():
        names, sheets = load_sheets(
            path, heads_only=heads_only, unread=NOT_READ, header_only=header_only
        )
        return read_loaded(path, names, sheets, lang)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects at once.

    Reading 50,000 staff allocates millions of lists and Decimals; the collector's full passes
    over them cost a quarter of the read time and find nothing (the reader makes no cycles).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_loaded(
    path: Path, names: list[str], sheets: dict[str, Sheet], lang: str | None = None
) -> WorkbookContents:
    """Like :func:`read_workbook`, from sheets already loaded (e.g. from a live Excel book).

    ``names`` are every sheet's name; ``sheets`` the loaded ones (rows as calamine gives them:
    blank cells "" or None, numbers float/int, dates ``date``).
    """
    path = Path(path)
    meta, meta_rows = read_meta(sheets.get(META))
    problems = Problems(_language(lang, meta.get("lang")))
    t = problems.t
    if META not in sheets:
        problems.add(
            META,
            "A1",
            None,
            t(f"隐藏工作表「{META}」缺失", f"the hidden sheet {META!r} is missing"),
            t(
                "用 xlkpi new-month 从模板开始本月",
                "start the month from the template (xlkpi new-month)",
            ),
        )
    month_name = meta.get(META_MONTH, "")
    month_cell = f"B{meta_rows[META_MONTH]}" if META_MONTH in meta_rows else "A1"
    if META in sheets and not MONTH_RE.match(month_name):
        problems.add(
            META,
            month_cell,
            month_name or None,
            t("工作簿的月份未设置", "the workbook's month is not set"),
            t(
                "用 xlkpi new-month --month YYYY-MM 开始本月",
                "start the month with xlkpi new-month --month YYYY-MM",
            ),
        )
    policy = _read_policy(sheets, problems)
    if policy is not None and MONTH_RE.match(month_name):
        try:
            policy_now = policy.at(month_name)
        except PolicyError as exc:
            problems.add(
                POLICY,
                "A1",
                exc.path,
                t(f"按月生效的变更有误:{exc}", str(exc)),
                t("改正该变更", "correct the dated change"),
            )
            policy_now = None
    else:
        policy_now = None
    maximum = policy_now.score.maximum if policy_now else None

    roster = _sheet(sheets, ROSTER, problems)
    employees: list[Employee] = []
    roster_rows: dict[str, int] = {}
    if roster is not None:
        employees, roster_rows = _read_roster(roster, policy_now, problems, month_name)
        if not roster_rows:
            problems.add(
                ROSTER.name,
                f"A{FIRST_DATA_ROW}",
                None,
                t("花名册为空", "the roster is empty"),
                t(
                    f"在「{ROSTER.name}」录入员工,从第{FIRST_DATA_ROW}行起每人一行",
                    f"enter the staff on {ROSTER.name}, one per row from row {FIRST_DATA_ROW}",
                ),
            )
    plan_of = roster_plans(roster, roster_rows)
    all_ids = set(roster_rows)
    per_sheet: dict[str, dict[str, dict[str, Any]]] = {}
    for sheet_layout in (ATTENDANCE, SALES):
        sheet = _sheet(sheets, sheet_layout, problems)
        if sheet is not None and roster is not None:
            wanted = _wanted(sheet_layout, plan_of, policy_now) & all_ids
            per_sheet[sheet_layout.name] = _read_inputs(
                sheet, sheet_layout, roster_rows, wanted, problems, maximum, plan_of, policy_now
            )
    plans_staffed = set(plan_of.values())
    shop_plans = _policy_plans(policy_now, ("team.pool_plans", "team.share_plans"), SHOP_PLANS)
    shops_needed = bool(plans_staffed & shop_plans)
    shops: list[Shop] = []
    groups: set[str] | None = set()
    shop_sheet = sheets.get(SHOPS.name)
    if shop_sheet is None:
        if shops_needed:
            _missing_sheet(problems, SHOPS.name, SHOPS.english)
    elif _require_headers(shop_sheet, SHOPS, problems):
        shops, groups = _read_shops(shop_sheet, problems, shops_needed)
    public_readers = layout.PUBLIC_SALES_COLUMN.readers(policy_now) or frozenset()
    public = _read_public_sales(sheets, problems, bool(plans_staffed & public_readers))
    targets: dict[str, Decimal] = {}
    teams = sheets.get(TEAMS.name)
    if teams is not None:
        targets = _read_teams(teams, problems)

    if roster is not None and groups is not None and (teams is not None or shop_sheet):
        _check_teams(roster, employees, roster_rows, groups, targets, policy_now, problems)

    scores: dict[str, Decimal] = {}
    if policy_now is not None and roster is not None:
        carded: set[str] = set()
        for key, card in policy_now.scorecards.items():
            if not card.plans:  # a reference table (物流部KPI): no plan is scored on it
                continue
            staff = {i for i, p in plan_of.items() if p in card.plans}
            carded |= staff
            if staff or (key in layout.SCORECARD_SHEETS and layout.SCORECARD_SHEETS[key] in sheets):
                scores |= _read_scorecard(
                    sheets, key, policy_now, staff, roster_rows, problems, plan_of
                )
        reads = _supervisor_reads(policy_now)
        sup_staff = {
            i
            for i, p in plan_of.items()
            if i not in carded and reads(SUPERVISOR_SELF.column("supervisor"), p)
        }
        sup = sheets.get(SUPERVISOR_SELF.name)
        if sup is None:
            if sup_staff:
                _missing_sheet(problems, SUPERVISOR_SELF.name, SUPERVISOR_SELF.english)
        elif _require_headers(sup, SUPERVISOR_SELF, problems):
            scores |= _read_supervisor_self(
                sup, policy_now, sup_staff, roster_rows, problems, plan_of
            )
    tax_inputs: dict[str, TaxInput] = {}
    tax_sheet = sheets.get(layout.TAX_INPUTS.name)
    if tax_sheet is not None and roster is not None and policy_now is not None:
        if _require_headers(tax_sheet, layout.TAX_INPUTS, problems):
            tax_inputs = _read_tax_inputs(tax_sheet, roster_rows, policy_now, problems)
    history = _read_history(sheets.get(HISTORY.name), problems)
    if MONTH_RE.match(month_name) and history:
        latest = max(rec.month for rec in history)
        if latest > month_name:
            problems.add(
                META,
                month_cell,
                month_name,
                t(
                    f"本月 {month_name} 早于「历史」中已有的月份 {latest}",
                    f"the month {month_name} is before {latest}, already in History",
                ),
                t(
                    "用 xlkpi new-month --month 开始正确的月份;不要手改月份",
                    "start the right month with xlkpi new-month --month; do not edit the stamp",
                ),
            )

    month: Month | None = None
    if not problems.items and policy_now is not None:
        inputs: dict[str, MonthInput] = {}
        for emp in employees:
            values: dict[str, Any] = {}
            for sheet_values in per_sheet.values():
                row_values = sheet_values.get(emp.id, {})
                values.update({k: v for k, v in row_values.items() if v is not None})
            inputs[emp.id] = MonthInput(emp.id, score=scores.get(emp.id), **values)
        month = Month(
            month_name,
            employees,
            inputs,
            targets,
            public or ZERO,
            history,
            shops=shops,
            tax_inputs=tax_inputs,
        )

    sheet_hashes = input_fingerprints(sheets)
    return WorkbookContents(
        path=path,
        sheet_names=names,
        sheets=sheets,
        month=month,
        policy=policy,
        problems=problems.items,
        meta=meta,
        meta_rows=meta_rows,
        sheet_hashes=sheet_hashes,
        roster_rows=roster_rows,
        id_rows=problems.id_rows,
        month_name=month_name,
        warnings=problems.warnings,
        lang=problems.lang,
    )


def _check_teams(
    roster: Sheet,
    employees: list[Employee],
    roster_rows: dict[str, int],
    groups: set[str],
    targets: dict[str, Decimal],
    policy: Policy | None,
    problems: Problems,
) -> None:
    """Staff paid by their group's shop (or team target) must be in a group that has one."""
    column = ROSTER.column("team")
    readers = column.readers(policy) or frozenset()
    known = groups | set(targets)
    col = roster.headers.get(column.header, 0)
    t = problems.t
    for emp in employees:
        if emp.plan in readers and emp.team and emp.team not in known:
            problems.add(
                ROSTER.name,
                ref(col, roster_rows[emp.id]),
                emp.team,
                t(
                    f"团队 {emp.team} 没有对应的店铺(「{SHOPS.name}」的负责客服组)",
                    f"team {emp.team} has no shop (the group column of {SHOPS.name})",
                ),
                t(
                    f"在「{SHOPS.name}」填写该组负责的店铺,或改正团队名称",
                    f"enter the group's shop on {SHOPS.name}, or correct the team",
                ),
            )


def _language(explicit: str | None, workbook: str | None) -> str:
    """The messages' language: ``explicit``, else the run's (``--lang``), else the workbook's."""
    from xlkpi import messages

    run = messages.get_lang()
    if explicit is None and run != messages.DEFAULT_LANG:
        explicit = run
    return messages.resolve_lang(explicit, workbook)


def roster_plans(roster: Sheet | None, roster_rows: dict[str, int]) -> dict[str, str]:
    """Employee id → plan code as the roster says it (rows with an unknown plan left out)."""
    if roster is None:
        return {}
    col = roster.headers.get(ROSTER.column("plan").header)
    if col is None:
        return {}
    out = {}
    for emp_id, r in roster_rows.items():
        text = cell_text(roster.value(r, col))
        plan = layout.PLAN_BY_LABEL.get(text, text)
        if plan in PLAN_LABELS:
            out[emp_id] = plan
    return out


def _policy_plans(
    policy: Policy | None, paths: tuple[str, ...], default: frozenset[str]
) -> frozenset[str]:
    """The union of the plan lists at ``paths`` of the policy (``default`` where absent)."""
    if policy is None:
        return default
    out: set[str] = set()
    found = False
    for path in paths:
        value: Any = policy
        for part in path.split("."):
            value = getattr(value, part, None)
        if isinstance(value, list):
            out |= set(value)
            found = True
    return frozenset(out) if found else default
