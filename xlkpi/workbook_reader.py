"""Read a month workbook (python-calamine, one pass) into a Month, its policy and cell problems.

Every sheet is located by name and every column by its header text (``xlkpi.layout``), so a
column moved by a person is still found; a missing sheet or a renamed header is a problem naming
the sheet and the cell. Every number goes through :func:`xlkpi.money.to_decimal`; blank is never
read as zero. The reader never raises for bad *input*: it collects :class:`CellProblem` records
(sheet, cell, value, message, remedy) so ``xlkpi check`` can show them all at once. A file that
is not a workbook at all raises :class:`WorkbookError`.

It also computes the fingerprints the month cycle relies on (see :func:`fingerprint`):
``input_hash`` covers every input cell and the policy sheet; it never covers formula columns
or the Payroll / Alerts / meta sheets, which recalc writes.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlkpi import layout
from xlkpi.errors import CellProblem, InputError, PolicyError, WorkbookError, XlkpiError
from xlkpi.inputs import OPTIONAL_FIELDS, Employee, HistoryRecord, Month, MonthInput
from xlkpi.layout import (
    ATTENDANCE,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HISTORY,
    META,
    POLICY,
    ROSTER,
    SALES,
    SUPERVISOR_SELF,
    TEAMS,
    SheetLayout,
    column_letter,
)
from xlkpi.messages import t
from xlkpi.money import ZERO, to_decimal
from xlkpi.payplans import PLAN_LABELS, PUBLIC_POOL_PLANS
from xlkpi.policy import Policy
from xlkpi.rules import scorecard_score

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_EXCEL_EPOCH = date(1899, 12, 30)

# Keys of the hidden meta sheet: column A holds the key, column B its value (rows in any order).
META_MONTH = "month"
META_STATUS = "status"
META_INPUT_HASH = "input_hash"
META_RECALCULATED_AT = "recalculated_at"
META_EMPLOYEES = "employees"
META_PAYROLL_TOTAL = "payroll_total"
META_SEAL_HASH = "seal_hash"
META_SEAL_INPUTS = "seal_inputs"
META_SEAL_POLICY = "seal_policy"
META_SEAL_RESULTS = "seal_results"
META_SEALED_AT = "sealed_at"
META_SEAL_SHEETS = "seal_sheets"
# The keys a seal writes, and a reopening recalc or a new month blanks.
SEAL_KEYS: tuple[str, ...] = (
    META_SEAL_HASH,
    META_SEAL_INPUTS,
    META_SEAL_POLICY,
    META_SEAL_RESULTS,
    META_SEAL_SHEETS,
    META_SEALED_AT,
)
META_KEYS: tuple[str, ...] = (
    META_MONTH,
    META_STATUS,
    META_INPUT_HASH,
    META_RECALCULATED_AT,
    META_EMPLOYEES,
    META_PAYROLL_TOTAL,
    *SEAL_KEYS,
)
STATUS_NEW = "new"
STATUS_RECALCULATED = "recalculated"
STATUS_SEALED = "sealed"

PLAN_REMEDY = "choose one of: " + "、".join(zh for zh, _en in PLAN_LABELS.values())


# ---------------------------------------------------------------------------------------------
# raw workbook access


@dataclass
class Sheet:
    """One sheet's values (``rows[r-1][c-1]``) and where each header text sits (0-based column)."""

    name: str
    rows: list[list[Any]]
    headers: dict[str, int] = field(default_factory=dict)

    def value(self, row: int, col: int) -> Any:
        """The value at 1-based ``row`` and 0-based ``col`` ("" when outside the used area)."""
        if row - 1 < len(self.rows):
            cells = self.rows[row - 1]
            if col < len(cells):
                return cells[col]
        return ""

    @property
    def last_row(self) -> int:
        """Number of the last row holding anything (0 for an empty sheet)."""
        for i in range(len(self.rows) - 1, -1, -1):
            if any(v not in ("", None) for v in self.rows[i]):
                return i + 1
        return 0


def _header_map(rows: list[list[Any]]) -> dict[str, int]:
    if len(rows) < HEADER_ROW:
        return {}
    out: dict[str, int] = {}
    for i, value in enumerate(rows[HEADER_ROW - 1]):
        text = _text(value)
        if text and text not in out:
            out[text] = i
    return out


def load_sheets(
    path: Path, names: Iterable[str] | None = None, heads_only: Iterable[str] = ()
) -> tuple[list[str], dict[str, Sheet]]:
    """Read sheets of ``path`` with python-calamine in one open: (all sheet names, read sheets).

    ``names`` limits which sheets are read (all when None); of the sheets in ``heads_only``
    only row 1 and the first column are read (:func:`xlkpi.sheet_heads.read_heads`). Raises
    WorkbookError when the file is missing, not a workbook, encrypted or corrupted.
    """
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    path = Path(path)
    if not path.exists():
        raise WorkbookError(t("file.missing", path=path))
    if path.is_dir():
        raise WorkbookError(t("file.is_folder", path=path))
    from xlkpi.workbook_limits import check_workbook_file

    check_workbook_file(path)  # a zip bomb or a huge grid would abort calamine
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise WorkbookError(t("file.password_protected", name=path.name)) from None
    except (CalamineError, OSError, ValueError) as exc:
        raise WorkbookError(t("limits.corrupt", name=path.name, reason=exc)) from None
    try:
        all_names = list(wb.sheet_names)
        wanted = all_names if names is None else [n for n in names if n in all_names]
        sheets: dict[str, Sheet] = {}
        heads = _heads(path, [n for n in heads_only if n in wanted])
        for name in wanted:
            if heads.get(name) is not None:
                sheets[name] = Sheet(name, heads[name], _header_map(heads[name]))
                continue
            try:
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except (CalamineError, ValueError) as exc:
                raise WorkbookError(
                    t("file.sheet_unreadable", name=path.name, sheet=name, reason=exc)
                ) from None
            sheets[name] = Sheet(name, rows, _header_map(rows))
        return all_names, sheets
    finally:
        wb.close()


def _heads(path: Path, names: list[str]) -> dict[str, list[list[Any]] | None]:
    if not names:
        return {}
    from zipfile import BadZipFile

    from xlkpi.sheet_heads import read_heads

    try:
        return read_heads(path, names)
    except (OSError, ValueError, KeyError, BadZipFile, WorkbookError):  # calamine reports
        return {}


# ---------------------------------------------------------------------------------------------
# value conversion


def _text(value: Any) -> str:
    """A cell as text: ids and labels; integral floats lose their ``.0``."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def ref(col: int, row: int) -> str:
    """A1 reference of 0-based ``col`` and 1-based ``row``."""
    return f"{column_letter(col + 1)}{row}"


class _Problems:
    """Collects problems; converts InputErrors raised by conversions into CellProblems."""

    def __init__(self) -> None:
        self.items: list[CellProblem] = []
        self.id_rows: dict[str, dict[str, int]] = {}  # sheet → employee id → row

    def add(self, sheet: str, cell: str, value: Any, message: str, remedy: str) -> None:
        self.items.append(CellProblem(sheet, cell, value, message, remedy))


_DECIMAL_CACHE: dict[tuple[type, Any], Decimal] = {}
_FLOAT_CACHE: dict[float, Decimal] = {}  # float cell value → to_decimal(value)


def _decimal(value: Any, what: str) -> Decimal:
    """to_decimal with a cache for repeated cell values (Decimals are immutable)."""
    key = (type(value), value)
    try:
        return _DECIMAL_CACHE[key]
    except (KeyError, TypeError):
        pass
    number = to_decimal(value, what)
    if len(_DECIMAL_CACHE) < 100_000:
        try:
            _DECIMAL_CACHE[key] = number
        except TypeError:
            pass
    return number


_KIND_REMEDY = {
    "count": "enter a whole number of 0 or more (0 if none)",
    "amount": "enter an amount of 0 or more in yuan, e.g. 25000 (0 if none)",
    "days": "enter a number of days of 0 or more (0 if none)",
    "hours": "enter a number of hours of 0 or more (0 if none)",
    "ratio": "enter a number of 0 or more, e.g. 1.2 or 85%",
    "score": "enter a score between 0 and the policy maximum",
}


def convert_number(
    value: Any, kind: str, where: tuple[str, str], problems: _Problems, maximum: Decimal | None
) -> Decimal | int | None:
    """A numeric input cell → Decimal (int for counts), or None after recording a problem."""
    sheet, cell = where
    remedy = _KIND_REMEDY.get(kind, "enter a number")
    try:
        number = _decimal(value, f"{sheet}!{cell}")
    except InputError as exc:
        if _blank(value):
            problems.add(sheet, cell, value, "blank, but a value is required here", remedy)
        else:
            problems.add(sheet, cell, value, f"not a number ({exc})", remedy)
        return None
    if number < ZERO:
        what = "negative sales" if kind == "amount" else "a negative number"
        problems.add(sheet, cell, value, f"{what} ({number}) is not allowed", remedy)
        return None
    if kind == "score" and maximum is not None and number > maximum:
        problems.add(
            sheet,
            cell,
            value,
            f"score {number} is over the maximum {maximum}",
            f"enter a score between 0 and {maximum} (policy score.maximum)",
        )
        return None
    if kind == "count":
        if number != number.to_integral_value():
            problems.add(sheet, cell, value, f"{number} is not a whole number", remedy)
            return None
        return int(number)
    return number


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    if isinstance(value, str):
        text = value.strip().replace("/", "-").replace(".", "-")
        text = text.replace("年", "-").replace("月", "-").replace("日", "")
        try:
            y, m, d = (int(p) for p in text.split("-")[:3])
            return date(y, m, d)
        except (ValueError, TypeError):
            return None
    return None


_BOOL_TEXT = {
    "是": True,
    "否": False,
    "true": True,
    "false": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
}


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value) if value in (0, 1) else None
    return _BOOL_TEXT.get(_text(value).lower())


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


def _canon(value: Any) -> str:
    """A cell value in a canonical text form, the same however the cell was read.

    Blank (None or "") → ""; numbers → the repr of the double (int 3 and float 3.0 agree);
    dates → ISO text; text → itself.
    """
    t = type(value)
    if t is float:
        return repr(value)
    if t is str:
        return "s:" + value if value else ""
    if value is None:
        return ""
    if t is bool:
        return "b:" + ("1" if value else "0")
    if t is int or t is Decimal:
        return repr(float(value))
    if isinstance(value, datetime | date):
        return "d:" + value.isoformat()
    return "s:" + str(value)


def fingerprint(parts: Iterable[tuple[str, Iterable[Iterable[Any]]]]) -> str:
    """SHA-256 over named tables of cells, canonicalised: the same cells give the same hash."""
    h = hashlib.sha256()
    canon = _canon
    for name, rows in parts:
        h.update(b"\x1e" + name.encode())
        chunk = []
        for row in rows:
            chunk.append("\x1f".join(map(canon, row)))
        h.update("\x1d".join(chunk).encode())
    return h.hexdigest()


def _input_columns(sheet: Sheet, sheet_layout: SheetLayout | None) -> list[int]:
    """Indexes of the columns holding inputs (every non-formula column found)."""
    if sheet_layout is None:
        return list(range(max((len(r) for r in sheet.rows), default=0)))
    cols = []
    for column in sheet_layout.columns:
        if column.kind != "formula" and column.header in sheet.headers:
            cols.append(sheet.headers[column.header])
    return sorted(cols)


def _trimmed(sheet: Sheet, cols: list[int]) -> list[list[Any]]:
    """The given columns of every row down to the last row holding any of them."""
    out = []
    for cells in sheet.rows:
        width = len(cells)
        if width > (cols[-1] if cols else -1):
            out.append([cells[c] for c in cols])
        else:
            out.append([cells[c] if c < width else "" for c in cols])
    while out and all(_blank(v) for v in out[-1]):
        out.pop()
    return out


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


def _read_policy(sheets: dict[str, Sheet], problems: _Problems) -> Policy | None:
    sheet = sheets.get(POLICY)
    if sheet is None:
        problems.add(
            POLICY,
            "A1",
            None,
            f"the policy sheet {POLICY!r} is missing",
            f"restore a sheet named {POLICY!r} (copy it from the template)",
        )
        return None
    try:
        from workbook_templates.policy_sheet import read_policy_sheet
    except ImportError:  # the template package is not installed: fall back to the defaults
        from xlkpi.policy_io import default_policy

        return default_policy()
    try:
        return read_policy_sheet(sheet.rows, POLICY)
    except PolicyError as exc:
        text = str(exc)
        m = _LOCATED.match(text)
        if m:  # "参数!C12 = 0.5: message. remedy"
            cell, value, rest = m.group(1), m.group(2), m.group(3)
            message, _, remedy = rest.partition(". Correct")
            remedy = ("Correct" + remedy) if remedy else "correct the value on the policy sheet"
            problems.add(POLICY, cell, value, message, remedy)
        else:
            cell = _find_text(sheet, exc.path) if exc.path else "A1"
            problems.add(POLICY, cell, exc.path, text, "correct the value on the policy sheet")
    except XlkpiError as exc:
        problems.add(POLICY, "A1", None, str(exc), "correct the policy sheet")
    return None


_LOCATED = re.compile(rf"^{re.escape(POLICY)}!([A-Z]{{1,3}}\d+) = (.*?): (.*)$", re.S)


def _find_text(sheet: Sheet, text: str) -> str:
    for r, row in enumerate(sheet.rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.strip() == text:
                return ref(c, r)
    return "A1"


def read_meta(sheet: Sheet | None) -> tuple[dict[str, str], dict[str, int]]:
    """Meta key → value text, and key → row number, from the hidden meta sheet."""
    meta: dict[str, str] = {}
    rows: dict[str, int] = {}
    if sheet is None:
        return meta, rows
    for r, row in enumerate(sheet.rows, start=1):
        if not row:
            continue
        key = _text(row[0])
        if key and key not in rows:
            rows[key] = r
            meta[key] = _text(row[1]) if len(row) > 1 else ""
    return meta, rows


def _require_headers(sheet: Sheet, sheet_layout: SheetLayout, problems: _Problems) -> bool:
    ok = True
    for i, column in enumerate(sheet_layout.columns):
        if column.kind == "formula" or column.header in sheet.headers:
            continue
        ok = False
        cell = ref(i, HEADER_ROW)
        problems.add(
            sheet.name,
            cell,
            sheet.value(HEADER_ROW, i),
            f"column header {column.header!r} ({column.field}) is missing or renamed",
            f"put the header {column.header!r} back in row {HEADER_ROW} (as in the template)",
        )
    return ok


def _sheet(
    sheets: dict[str, Sheet], sheet_layout: SheetLayout, problems: _Problems
) -> Sheet | None:
    sheet = sheets.get(sheet_layout.name)
    if sheet is None:
        problems.add(
            sheet_layout.name,
            "A1",
            None,
            f"the sheet {sheet_layout.name!r} ({sheet_layout.english}) is missing or renamed",
            f"rename the sheet back to {sheet_layout.name!r} or restore it from the template",
        )
        return None
    return sheet if _require_headers(sheet, sheet_layout, problems) else None


def _id_rows(sheet: Sheet, id_col: int, problems: _Problems) -> dict[str, int]:
    """Employee id → row on a per-employee sheet; duplicates are problems."""
    seen: dict[str, int] = {}
    for r in range(FIRST_DATA_ROW, sheet.last_row + 1):
        raw = sheet.value(r, id_col)
        emp_id = _text(raw)
        if not emp_id:
            continue
        if emp_id in seen:
            problems.add(
                sheet.name,
                ref(id_col, r),
                raw,
                f"employee id {emp_id} appears twice (also row {seen[emp_id]})",
                "each 工号 may appear once; delete the duplicate row or give it its own id",
            )
            continue
        seen[emp_id] = r
    problems.id_rows[sheet.name] = seen
    return seen


def _read_roster(
    sheet: Sheet, policy: Policy | None, problems: _Problems
) -> tuple[list[Employee], dict[str, int]]:
    h = {c.field: sheet.headers[c.header] for c in ROSTER.columns if c.header in sheet.headers}
    rows = _id_rows(sheet, h["id"], problems)
    rank_codes: dict[str, str] = {}
    if policy is not None:
        for rung in policy.ranks.ladder:
            rank_codes[rung.name] = rung.name
            rank_codes[rung.label] = rung.name
    employees: list[Employee] = []
    name = ROSTER.name
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
        if _blank(raw_name):
            problems.add(
                name, at("name"), raw_name, "the name is blank", "enter the employee's name"
            )
        raw_plan = cell("plan")
        plan = _text(raw_plan)
        plan = layout.PLAN_BY_LABEL.get(plan, plan)
        if plan not in PLAN_LABELS:
            problems.add(
                name,
                at("plan"),
                raw_plan,
                "unknown role / pay plan" if not _blank(raw_plan) else "the role is blank",
                PLAN_REMEDY,
            )
        raw_level = cell("level")
        level = layout.LEVEL_BY_LABEL.get(_text(raw_level), _text(raw_level))
        if level not in layout.LEVEL_LABELS:
            problems.add(
                name,
                at("level"),
                raw_level,
                "unknown level",
                "choose one of: " + "、".join(layout.LEVEL_LABELS.values()),
            )
        raw_hired = cell("hire_date")
        hired = _date(raw_hired)
        if hired is None:
            problems.add(
                name,
                at("hire_date"),
                raw_hired,
                "the hire date is blank" if _blank(raw_hired) else "not a date",
                "enter the hire date as a date, e.g. 2024-03-01",
            )
        raw_trial = cell("trial")
        trial = _bool(raw_trial)
        if trial is None:
            problems.add(name, at("trial"), raw_trial, "not 是/否", "enter 是 or 否")
        money: dict[str, Decimal] = {}
        for fieldname in ("base_pay", "post_pay"):
            raw = cell(fieldname)
            if type(raw) is float and raw >= 0.0:
                money[fieldname] = _fast_decimal(raw, fieldname)
                continue
            number = convert_number(raw, "amount", (name, at(fieldname)), problems, None)
            if number is not None:
                money[fieldname] = Decimal(number)
        team = _text(cell("team")) if "team" in h else ""
        rank = "trial"
        if "rank" in h:
            raw_rank = cell("rank")
            rank_text = _text(raw_rank)
            if rank_text:
                if rank_codes and rank_text not in rank_codes:
                    problems.add(
                        name,
                        at("rank"),
                        raw_rank,
                        "unknown customer-service rank",
                        "choose one of: "
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
                    _text(raw_name),
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


def _read_inputs(
    sheet: Sheet,
    sheet_layout: SheetLayout,
    roster_rows: dict[str, int],
    wanted: set[str],
    problems: _Problems,
    maximum: Decimal | None,
) -> dict[str, dict[str, Any]]:
    """Per employee id, the converted values of the sheet's input columns."""
    id_col = sheet.headers[sheet_layout.column("id").header]
    rows = _id_rows(sheet, id_col, problems)
    columns = [
        (c, sheet.headers[c.header])
        for c in sheet_layout.columns
        if c.field != "id" and c.kind != "formula" and c.header in sheet.headers
    ]
    plan = [
        (column.field, col, column.kind, column.field in OPTIONAL_FIELDS or not column.required)
        for column, col in columns
    ]
    cache = _FLOAT_CACHE
    out: dict[str, dict[str, Any]] = {}
    for emp_id, r in rows.items():
        if emp_id not in roster_rows:
            problems.add(
                sheet.name,
                ref(id_col, r),
                emp_id,
                f"employee id {emp_id} is not on the roster ({ROSTER.name})",
                f"add {emp_id} to {ROSTER.name} or delete this row",
            )
            continue
        cells = sheet.rows[r - 1]
        width = len(cells)
        values: dict[str, Any] = {}
        for fieldname, col, kind, optional in plan:
            raw = cells[col] if col < width else ""
            if type(raw) is float and raw >= 0.0:  # the common case, without detours
                if kind == "count":
                    if raw.is_integer():
                        values[fieldname] = int(raw)
                        continue
                else:
                    number = cache.get(raw)
                    if number is None:
                        number = to_decimal(raw)
                        if len(cache) < 100_000:
                            cache[raw] = number
                    if kind != "score" or maximum is None or number <= maximum:
                        values[fieldname] = number
                        continue
            if optional and _blank(raw):
                values[fieldname] = None
                continue
            values[fieldname] = convert_number(
                raw, kind, (sheet.name, ref(col, r)), problems, maximum
            )
        out[emp_id] = values
    for emp_id in wanted:
        if emp_id not in rows:
            problems.add(
                ROSTER.name,
                ref(0, roster_rows[emp_id]),
                emp_id,
                f"employee {emp_id} has no row on {sheet.name}",
                f"add a row for {emp_id} to {sheet.name} (工号 in column A) and fill it in",
            )
    return out


def _read_scorecard(
    sheets: dict[str, Sheet],
    key: str,
    policy: Policy,
    staff: set[str],
    roster_rows: dict[str, int],
    problems: _Problems,
) -> dict[str, Decimal]:
    """Scores from one scorecard sheet: item points (each at most its maximum) plus 加分.

    As the sheet's 总分 formula does, a blank item counts 0 — but a row with no points at all
    is a problem (not yet appraised), never a score of 0.
    """
    name = layout.SCORECARD_SHEETS[key]
    card = policy.scorecards[key]
    sheet = sheets.get(name)
    if sheet is None:
        problems.add(
            name,
            "A1",
            None,
            f"the scorecard sheet {name!r} ({card.label}) is missing",
            f"rename the sheet back to {name!r} or restore it from the template",
        )
        return {}
    cols = scorecard_columns(sheet, key, policy)
    missing = [item for item in card.items if item.code not in cols]
    for item in missing:
        problems.add(
            name,
            ref(len(sheet.headers), HEADER_ROW),
            None,
            f"no column for item {item.label!r}",
            f"put the header {item.label!r} back in row {HEADER_ROW}",
        )
    if "id" not in cols:
        problems.add(
            name,
            "A1",
            sheet.value(HEADER_ROW, 0),
            "column header '工号' is missing",
            f"put the header '工号' back in row {HEADER_ROW}",
        )
    if missing or "id" not in cols:
        return {}
    rows = _id_rows(sheet, cols["id"], problems)
    items = [(item, cols[item.code]) for item in card.items]
    top = max((policy.score.maximum_for(p) for p in card.plans), default=policy.score.maximum)
    bonus_col = cols.get(BONUS)
    scores: dict[str, Decimal] = {}
    for emp_id, r in rows.items():
        if emp_id not in roster_rows:
            problems.add(
                name,
                ref(cols["id"], r),
                emp_id,
                f"employee id {emp_id} is not on the roster ({ROSTER.name})",
                f"add {emp_id} to {ROSTER.name} or delete this row",
            )
            continue
        if emp_id not in staff:
            continue
        if all(_blank(sheet.value(r, col)) for _item, col in items):
            first = ref(items[0][1], r)
            problems.add(
                name,
                first,
                None,
                f"no appraisal points entered for {emp_id}",
                "enter the points of every item (0 where none were earned)",
            )
            continue
        total = ZERO
        bad = False
        number: Decimal | int | None
        for item, col in items:
            raw = sheet.value(r, col)
            if type(raw) is float and 0.0 <= raw:
                number = _fast_decimal(raw, "points")
            elif _blank(raw):
                continue
            else:
                number = convert_number(raw, "amount", (name, ref(col, r)), problems, None)
            if number is None:
                bad = True
            elif number > item.maximum:
                problems.add(
                    name,
                    ref(col, r),
                    raw,
                    f"{number} is over the item's maximum of {item.maximum} points",
                    f"enter 0 to {item.maximum} points",
                )
                bad = True
            else:
                total += number
        if bonus_col is not None and not _blank(sheet.value(r, bonus_col)):
            raw = sheet.value(r, bonus_col)
            number = convert_number(raw, "amount", (name, ref(bonus_col, r)), problems, None)
            if number is None:
                bad = True
            else:
                total += number
        if bad:
            continue
        # rules.md A8: points ÷ the card's full points × 100, up to the plan's maximum
        scores[emp_id] = scorecard_score(total, card.total, top)
    for emp_id in sorted(staff - set(rows), key=lambda e: roster_rows[e]):
        problems.add(
            ROSTER.name,
            ref(0, roster_rows[emp_id]),
            emp_id,
            f"employee {emp_id} has no row on {name}",
            f"add a row for {emp_id} to {name} and fill in the points",
        )
    return scores


def _read_supervisor_self(
    sheet: Sheet,
    policy: Policy,
    staff: set[str],
    roster_rows: dict[str, int],
    problems: _Problems,
) -> dict[str, Decimal]:
    values = _read_inputs(
        sheet, SUPERVISOR_SELF, roster_rows, staff, problems, policy.score.maximum
    )
    out: dict[str, Decimal] = {}
    w_sup, w_self = policy.score.supervisor_weight, policy.score.self_weight
    for emp_id in staff:
        v = values.get(emp_id)
        if v and v.get("supervisor") is not None and v.get("self") is not None:
            out[emp_id] = w_sup * v["supervisor"] + w_self * v["self"]
    return out


def public_sales_cell(sheet: Sheet) -> tuple[int, int] | None:
    """(1-based row, 0-based column) of the public-sales value: right of its label."""
    for r, row in enumerate(sheet.rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.strip() == layout.PUBLIC_SALES_LABEL:
                return r, c + 1
    return None


def _read_teams(
    sheet: Sheet, problems: _Problems, public_needed: bool
) -> tuple[dict[str, Decimal], Decimal | None]:
    """Team targets, and the public sales (required only when a public-pool plan is staffed)."""
    team_col = sheet.headers[TEAMS.column("team").header]
    target_col = sheet.headers[TEAMS.column("target").header]
    targets: dict[str, Decimal] = {}
    public: Decimal | None = None
    where = public_sales_cell(sheet)
    if where is not None:
        r, c = where
        raw = sheet.value(r, c)
        if public_needed or not _blank(raw):
            n = convert_number(raw, "amount", (sheet.name, ref(c, r)), problems, None)
            public = None if n is None else Decimal(n)
    else:
        problems.add(
            sheet.name,
            "A1",
            None,
            f"the label {layout.PUBLIC_SALES_LABEL!r} is missing",
            f"put {layout.PUBLIC_SALES_LABEL!r} in a cell and the month's public sales "
            "in the cell to its right",
        )
    for r in range(FIRST_DATA_ROW, sheet.last_row + 1):
        raw_team = sheet.value(r, team_col)
        team = _text(raw_team)
        if not team or team == layout.PUBLIC_SALES_LABEL:
            continue
        if team in targets:
            problems.add(
                sheet.name,
                ref(team_col, r),
                raw_team,
                f"team {team} appears twice",
                "list each team once",
            )
            continue
        raw = sheet.value(r, target_col)
        n = convert_number(raw, "amount", (sheet.name, ref(target_col, r)), problems, None)
        if n is not None:
            targets[team] = Decimal(n)
    return targets, public


def _fast_decimal(value: Any, what: str) -> Decimal:
    """to_decimal, memoised for float cells (the common case)."""
    if type(value) is float:
        number = _FLOAT_CACHE.get(value)
        if number is None:
            number = to_decimal(value, what)
            if len(_FLOAT_CACHE) < 100_000:
                _FLOAT_CACHE[value] = number
        return number
    return to_decimal(value, what)


def _read_history(sheet: Sheet | None, problems: _Problems) -> list[HistoryRecord]:
    if sheet is None:
        return []
    h = {c.field: sheet.headers[c.header] for c in HISTORY.columns if c.header in sheet.headers}
    needed = ("month", "id", "score", "grade", "coefficient", "total")
    missing = [HISTORY.column(f).header for f in needed if f not in h]
    if missing:
        problems.add(
            HISTORY.name,
            "A1",
            None,
            f"history headers missing: {', '.join(missing)}",
            "restore the History sheet's header row from the template",
        )
        return []
    grade_codes = {v: k for k, v in layout.GRADE_LABELS.items()} | {
        k: k for k in layout.GRADE_LABELS
    }
    records: list[HistoryRecord] = []
    for r in range(FIRST_DATA_ROW, sheet.last_row + 1):
        month = _text(sheet.value(r, h["month"]))
        emp_id = _text(sheet.value(r, h["id"]))
        if not month and not emp_id:
            continue
        where = HISTORY.name
        if not MONTH_RE.match(month):
            problems.add(
                where,
                ref(h["month"], r),
                sheet.value(r, h["month"]),
                "not a month",
                "write the month as YYYY-MM, e.g. 2026-10",
            )
            continue
        try:
            raw_score = sheet.value(r, h["score"])
            score = None if _blank(raw_score) else _fast_decimal(raw_score, "score")
            grade = grade_codes.get(_text(sheet.value(r, h["grade"])), "")
            coefficient = _fast_decimal(sheet.value(r, h["coefficient"]) or 0, "coefficient")
            total = _fast_decimal(sheet.value(r, h["total"]) or 0, "total")
            complaints = 0
            if "complaints" in h and not _blank(sheet.value(r, h["complaints"])):
                complaints = int(to_decimal(sheet.value(r, h["complaints"]), "complaints"))
        except InputError as exc:
            problems.add(
                where,
                f"A{r}",
                month,
                f"history row is unreadable ({exc})",
                "correct the row or delete it",
            )
            continue
        rank = _text(sheet.value(r, h["rank"])) if "rank" in h else ""
        records.append(
            HistoryRecord(month, emp_id, score, grade, coefficient, total, rank, complaints)
        )
    return records


def read_workbook(path: Path, heads_only: Iterable[str] = ()) -> WorkbookContents:
    """Read a month workbook: Month, policy, every problem found, meta and the input fingerprint.

    Of the sheets in ``heads_only`` only row 1 and the first column are read (see
    :func:`load_sheets`). Raises WorkbookError only when the file cannot be read at all.
    """
    path = Path(path)
    with gc_paused():
        names, sheets = load_sheets(path, heads_only=heads_only)
        return read_loaded(path, names, sheets)


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


def read_loaded(path: Path, names: list[str], sheets: dict[str, Sheet]) -> WorkbookContents:
    """Like :func:`read_workbook`, from sheets already loaded (e.g. from a live Excel book).

    ``names`` are every sheet's name; ``sheets`` the loaded ones (rows as calamine gives them:
    blank cells "" or None, numbers float/int, dates ``date``).
    """
    path = Path(path)
    problems = _Problems()
    meta, meta_rows = read_meta(sheets.get(META))
    if META not in sheets:
        problems.add(
            META,
            "A1",
            None,
            f"the hidden sheet {META!r} is missing",
            "start the month from the template (xlkpi new-month)",
        )
    month_name = meta.get(META_MONTH, "")
    if META in sheets and not MONTH_RE.match(month_name):
        cell = f"B{meta_rows[META_MONTH]}" if META_MONTH in meta_rows else "A1"
        problems.add(
            META,
            cell,
            month_name or None,
            "the workbook's month is not set",
            "start the month with xlkpi new-month --month YYYY-MM",
        )
    policy = _read_policy(sheets, problems)
    if policy is not None and MONTH_RE.match(month_name):
        try:
            policy_now = policy.at(month_name)
        except PolicyError as exc:
            problems.add(POLICY, "A1", exc.path, str(exc), "correct the dated change")
            policy_now = None
    else:
        policy_now = None
    maximum = policy_now.score.maximum if policy_now else None

    roster = _sheet(sheets, ROSTER, problems)
    employees: list[Employee] = []
    roster_rows: dict[str, int] = {}
    if roster is not None:
        employees, roster_rows = _read_roster(roster, policy_now, problems)
        if not roster_rows:
            problems.add(
                ROSTER.name,
                f"A{FIRST_DATA_ROW}",
                None,
                "the roster is empty",
                f"enter the staff on {ROSTER.name}, one per row from row {FIRST_DATA_ROW}",
            )
    all_ids = set(roster_rows)
    per_sheet: dict[str, dict[str, dict[str, Any]]] = {}
    for sheet_layout in (ATTENDANCE, SALES):
        sheet = _sheet(sheets, sheet_layout, problems)
        if sheet is not None and roster is not None:
            per_sheet[sheet_layout.name] = _read_inputs(
                sheet, sheet_layout, roster_rows, all_ids, problems, maximum
            )
    teams = _sheet(sheets, TEAMS, problems)
    targets: dict[str, Decimal] = {}
    public: Decimal | None = None
    if teams is not None:
        public_needed = any(e.plan in PUBLIC_POOL_PLANS for e in employees)
        targets, public = _read_teams(teams, problems, public_needed)

    scores: dict[str, Decimal] = {}
    plan_of = {e.id: e.plan for e in employees}
    if policy_now is not None and roster is not None:
        # plans scored on each scorecard; everything else uses the supervisor / self sheet
        carded: set[str] = set()
        for key in dict.fromkeys(layout.SCORECARD_OF_PLAN.values()):
            staff = {i for i, p in plan_of.items() if layout.SCORECARD_OF_PLAN.get(p) == key}
            carded |= staff
            if staff:
                scores |= _read_scorecard(sheets, key, policy_now, staff, roster_rows, problems)
        others = set(plan_of) - carded
        if others:
            sup = _sheet(sheets, SUPERVISOR_SELF, problems)
            if sup is not None:
                scores |= _read_supervisor_self(sup, policy_now, others, roster_rows, problems)
    history = _read_history(sheets.get(HISTORY.name), problems)

    for emp in employees:  # team-pool staff need their team's target (A6)
        if emp.plan == "cs_000" and teams is not None and emp.team not in targets:
            col = roster.headers.get(ROSTER.column("team").header, 0) if roster else 0
            problems.add(
                ROSTER.name,
                ref(col, roster_rows[emp.id]),
                emp.team or None,
                f"team {emp.team or '(blank)'} has no sales target on {TEAMS.name}",
                f"add the team and its target to {TEAMS.name}, or correct the team",
            )

    month: Month | None = None
    if not problems.items and policy_now is not None:
        inputs: dict[str, MonthInput] = {}
        for emp in employees:
            values: dict[str, Any] = {}
            for sheet_values in per_sheet.values():
                values.update({k: v for k, v in sheet_values[emp.id].items() if v is not None})
            inputs[emp.id] = MonthInput(emp.id, score=scores.get(emp.id), **values)
        month = Month(month_name, employees, inputs, targets, public or ZERO, history)

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
    )


def input_fingerprints(sheets: dict[str, Sheet]) -> dict[str, str]:
    """Hash of the input cells of each input sheet (policy and history included), by sheet."""
    parts: dict[str, list[list[Any]]] = {}
    for sheet_layout in (*layout.INPUT_SHEETS, HISTORY):
        sheet = sheets.get(sheet_layout.name)
        if sheet is not None:
            parts[sheet.name] = _trimmed(sheet, _input_columns(sheet, sheet_layout))
    teams = sheets.get(TEAMS.name)
    if teams is not None:  # the public-sales cell sits outside the team table's columns
        where = public_sales_cell(teams)
        parts[TEAMS.name].append(["public", teams.value(*where) if where else ""])
    for name in layout.SCORECARD_SHEETS.values():
        sheet = sheets.get(name)
        if sheet is not None:
            cols = [i for h, i in sheet.headers.items() if not _is_total_header(h)]
            parts[name] = _trimmed(sheet, sorted(cols))
    policy_sheet = sheets.get(POLICY)
    if policy_sheet is not None:
        parts[POLICY] = _trimmed(policy_sheet, _input_columns(policy_sheet, None))
    return {name: fingerprint([(name, rows)]) for name, rows in parts.items()}


def combined_hash(hashes: dict[str, str]) -> str:
    """One hash over per-sheet hashes (sheet order does not matter)."""
    return fingerprint([("sheets", sorted(hashes.items()))])


_TOTAL_HEADERS = ("合计", "总分", "得分", "绩效分数", "姓名")


def _is_total_header(header: str) -> bool:
    return any(header.startswith(h) for h in _TOTAL_HEADERS)


def results_hash(contents: WorkbookContents) -> str:
    """Hash of what the Payroll and Alerts sheets show (their cached values)."""
    parts = []
    for name in (layout.PAYROLL.name, layout.ALERTS.name):
        sheet = contents.sheets.get(name)
        if sheet is not None:
            parts.append((name, _trimmed(sheet, _input_columns(sheet, None))))
    return fingerprint(parts)


def encode_sheet_hashes(hashes: dict[str, str]) -> str:
    """Per-sheet hashes as one meta cell: ``name=hash;name=hash``."""
    return ";".join(f"{name}={h}" for name, h in sorted(hashes.items()))


def decode_sheet_hashes(text: str) -> dict[str, str]:
    """The inverse of :func:`encode_sheet_hashes`."""
    out = {}
    for part in text.split(";"):
        name, sep, h = part.partition("=")
        if sep:
            out[name] = h
    return out


def seal_hash(month: str, inputs: str, policy: str, results: str) -> str:
    """The seal: one hash over the month, its inputs, policy and results."""
    return fingerprint([("seal", [[month, inputs, policy, results]])])
