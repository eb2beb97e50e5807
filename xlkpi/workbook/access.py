"""The small workbook-access interface the ribbon actions use: live Excel (xlwings) or a file.

:class:`WorkbookAccess` is all the macros need from a workbook: read a sheet as rows of values,
write a rectangular block of values or formulas in *one* call, clear a sheet's rows, add a sheet,
the selected row, a message box and the status bar, the path and saving.

* :class:`XlwingsWorkbook` wraps a live ``xlwings.Book`` (``xw.Book.caller()`` when a ribbon
  button runs Python). It touches only a small xlwings surface — ``book.sheets`` (iteration,
  ``[name]``, ``add``), ``sheet.name`` / ``used_range.last_cell`` / ``range((r, c), (r, c))`` /
  ``visible``, ``range.options(ndim=2).value``, ``range.value = rows``,
  ``range.formula = rows``, ``range.clear_contents()``, ``book.selection`` (``.sheet.name``,
  ``.row``), ``book.app.status_bar`` / ``alert`` / ``screen_updating`` / ``calculation`` /
  ``books.open``, ``book.fullname`` and ``book.save()`` — so the tests can fake exactly that —
  plus, for protection, the COM worksheet ``sheet.api`` (``ProtectContents``,
  ``ProtectDrawingObjects``, ``ProtectScenarios``, ``EnableSelection``, ``Protection.Allow…``,
  ``Protect(…)``, ``Unprotect()``).
* :class:`FileWorkbook` is the same interface over a file through openpyxl, for tests and
  headless use. Formula cells read as the value last cached in the file (None when none was).

Protected sheets: the template saves 工资表 and the input sheets protected (formula cells
locked). Excel refuses a macro's write to a locked cell of a protected sheet (the
``UserInterfaceOnly`` flag that would allow it is not saved in the file), so every action that
writes does it inside :meth:`WorkbookAccess.unprotected`: the sheets it names are unprotected
and, when the block ends — normally or by an exception half-way — protected again with exactly
the options they had (:class:`SheetProtection`).

Cells are addressed by 1-based (row, column). Decimals are handed over as floats: Excel stores
numbers as doubles, and both implementations write the same values. Reading gives None for a
blank cell, a float for every number and a ``date`` for a date-time at midnight, as
python-calamine (the command line's reader) does, so the same cells give the same inputs and
fingerprints whichever way they were read (``Decimal("48")`` and ``Decimal("48.0")`` compare
equal but print differently in messages).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from xlkpi.errors import WorkbookError
from xlkpi.messages import t

TITLE = "xlkpi 绩效薪酬"
MESSAGE_LIMIT = 1500  # longer text is cut so the message box still fits on the screen

Rows = Sequence[Sequence[Any]]
_MIDNIGHT = time(0, 0)

# Excel's Protection.Allow… flags, in the order of Worksheet.Protect's keyword arguments.
ALLOW_FLAGS = (
    "AllowFormattingCells",
    "AllowFormattingColumns",
    "AllowFormattingRows",
    "AllowInsertingColumns",
    "AllowInsertingRows",
    "AllowInsertingHyperlinks",
    "AllowDeletingColumns",
    "AllowDeletingRows",
    "AllowSorting",
    "AllowFiltering",
    "AllowUsingPivotTables",
)


@dataclass(frozen=True)
class SheetProtection:
    """A protected sheet's settings, as ``Worksheet.Protect`` takes them back.

    ``allow`` holds the ``Protection.Allow…`` flags (:data:`ALLOW_FLAGS` order);
    ``enable_selection`` is ``Worksheet.EnableSelection`` (0 any cell, 1 unlocked cells only,
    -4142 none), which ``Protect`` does not take and is set after it.
    """

    contents: bool
    drawing_objects: bool
    scenarios: bool
    allow: tuple[bool, ...]
    enable_selection: int


class ProtectedSheetError(WorkbookError):
    """A sheet could not be unprotected (it has a password): the action wrote nothing there."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        super().__init__(
            f"工作表「{sheet}」设有密码保护，xlkpi 无法写入。请在“审阅 → 撤销工作表保护”中输入"
            "密码解除保护（或去掉密码后重新保护），然后再按一次按钮。"
        )


@runtime_checkable
class WorkbookAccess(Protocol):
    """What the ribbon actions need from a workbook (live or on disk)."""

    @property
    def path(self) -> Path:
        """The workbook's full path (its name only when it was never saved)."""
        ...

    def sheet_names(self) -> list[str]:
        """Every sheet's name, in tab order (hidden sheets included)."""
        ...

    def read_rows(self, sheet: str, max_rows: int | None = None) -> list[list[Any]]:
        """Values from A1 to the last used cell (at most ``max_rows`` rows); blank is None."""
        ...

    def write_values(self, sheet: str, row: int, col: int, rows: Rows) -> None:
        """Write a block of values (top-left cell at row, col) in one call; "=…" stays text."""
        ...

    def write_formulas(self, sheet: str, row: int, col: int, rows: Rows) -> None:
        """Write a block of formulas ("=…"; other cells are constants) in one call."""
        ...

    def write_array(self, sheet: str, block: str, formula: str) -> None:
        """Enter ``formula`` as one legacy array formula over ``block`` ("D2:AB1001"), as
        Ctrl+Shift+Enter does: one evaluation fills every cell of the block."""
        ...

    def clear_rows(self, sheet: str, first_row: int) -> None:
        """Clear the contents (not the formatting) of every row from ``first_row`` down."""
        ...

    def add_sheet(self, name: str, *, hidden: bool = False) -> None:
        """Add an empty sheet at the end, unless one of that name exists."""
        ...

    def selection(self) -> tuple[str, int] | None:
        """(sheet name, row) of the selected cell, or None when nothing is selected."""
        ...

    def message(self, text: str, title: str = TITLE, *, error: bool = False) -> None:
        """Show a message to the person (a message box in Excel)."""
        ...

    def status(self, text: str | None) -> None:
        """Show ``text`` in the status bar; None hands the status bar back."""
        ...

    def bulk(self) -> contextlib.AbstractContextManager[None]:
        """A context in which many writes go fast (no screen updates, manual calculation)."""
        ...

    def unprotected(self, sheets: Iterable[str]) -> contextlib.AbstractContextManager[None]:
        """A context in which the named sheets (those that exist) are writable: protected ones
        are unprotected on entry and protected again, with the same options, on exit — also
        when the block raises. Raises :class:`ProtectedSheetError` for a password."""
        ...

    def save(self) -> None:
        """Save the workbook where it is."""
        ...

    def open_other(self, path: Path) -> None:
        """Open another workbook for the person (in Excel: as a new window)."""
        ...


def cell_value(value: Any) -> Any:
    """A value as a cell takes it: Decimal → float; None, text, numbers, dates unchanged."""
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, str | int | float | bool | date | datetime):
        return value
    return str(value)


def block(rows: Rows) -> list[list[Any]]:
    """Rows as a rectangular list of lists of cell values (short rows padded with None)."""
    width = max((len(r) for r in rows), default=0)
    return [[cell_value(v) for v in r] + [None] * (width - len(r)) for r in rows]


def _as_text(value: Any) -> Any:
    """Text that Excel would take for a formula ("=…") gets the apostrophe that keeps it text."""
    if isinstance(value, str) and value.startswith("="):
        return "'" + value
    return value


def _read_value(value: Any) -> Any:
    """A value as python-calamine and Excel give it: numbers are floats, a midnight is a date."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, datetime) and value.time() == _MIDNIGHT and value.tzinfo is None:
        return value.date()
    return value


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Normalise values and drop trailing all-blank rows (an empty sheet reads as [])."""
    rows = [[_read_value(v) for v in r] for r in rows]
    while rows and all(v is None or v == "" for v in rows[-1]):
        rows.pop()
    return rows


# Range.FormulaArray takes a formula of at most 255 characters (Excel's VBA reference); a
# longer one is entered as a stand-in whose long arguments are placeholder names, which
# Range.Replace (LookAt:=xlPart) then turns back into the real text, one at a time — each step
# a valid formula (the established workaround).
FORMULA_ARRAY_LIMIT = 255
XL_PART = 2


def _arguments(formula: str) -> tuple[str, list[str]] | None:
    """(function name, top-level arguments) of ``=NAME(a,b,…)``; None for any other shape."""
    head, sep, body = formula.partition("(")
    if not sep or not body.endswith(")") or not head.startswith("="):
        return None
    args: list[str] = []
    depth, text, sheet, start = 0, False, False, 0
    inner = body[:-1]
    for i, ch in enumerate(inner):
        if ch == '"' and not sheet:
            text = not text
        elif ch == "'" and not text:
            sheet = not sheet
        elif text or sheet:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch == ",":
            args.append(inner[start:i])
            start = i + 1
    args.append(inner[start:])
    return head[1:], args


def short_array_formula(formula: str) -> tuple[str, list[tuple[str, str]]]:
    """(the formula to enter, [(placeholder, text)] to put back with Range.Replace, in order).

    A formula within :data:`FORMULA_ARRAY_LIMIT` is entered as it is. Otherwise every
    argument longer than its placeholder (``XQ_01``, ``XQ_02``, …) is one — an argument that
    is itself a call too long to put back in one replacement is split the same way, inside
    out — and so is each split function's name (``XQ_00(`` the outermost, put back last):
    until then the cell calls no UDF. Every replacement text is within the limit as well.
    """
    if len(formula) <= FORMULA_ARRAY_LIMIT:
        return formula, []
    counter = [0]
    leaves: list[tuple[str, str]] = []
    names: list[tuple[str, str]] = []

    def fresh() -> str:
        counter[0] += 1
        return f"XQ_{counter[0]:02d}"

    def split(call: str, name_placeholder: str) -> str:
        found = _arguments(call)
        if found is None:
            raise WorkbookError(t("access.array_too_long", length=len(formula)))
        name, args = found
        short_args = []
        for arg in args:
            if len(arg) <= len("XQ_00"):
                short_args.append(arg)
            elif len(arg) <= FORMULA_ARRAY_LIMIT:
                placeholder = fresh()
                leaves.append((placeholder, arg))
                short_args.append(placeholder)
            else:  # a long call: its own arguments become placeholders
                inner = fresh() + "("
                short_args.append(split("=" + arg, inner)[1:])
        names.append((name_placeholder, name + "("))
        return "=" + name_placeholder + ",".join(short_args) + ")"

    short = split(formula, "XQ_00(")
    if len(short) > FORMULA_ARRAY_LIMIT:
        raise WorkbookError(t("access.array_too_long", length=len(formula)))
    return short, leaves + names


class XlwingsWorkbook:
    """:class:`WorkbookAccess` over a live ``xlwings.Book``."""

    def __init__(self, book: Any) -> None:
        self.book = book

    @classmethod
    def caller(cls) -> XlwingsWorkbook:
        """The workbook that ran the macro (``xw.Book.caller()``: Excel's active workbook)."""
        import xlwings as xw

        return cls(xw.Book.caller())

    @property
    def app(self) -> Any:
        return self.book.app

    @property
    def path(self) -> Path:
        return Path(self.book.fullname)

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def read_rows(self, sheet: str, max_rows: int | None = None) -> list[list[Any]]:
        ws = self.book.sheets[sheet]
        last = ws.used_range.last_cell
        n_rows, n_cols = last.row, last.column
        if max_rows is not None:
            n_rows = min(n_rows, max_rows)
        if n_rows < 1:
            return []
        values = ws.range((1, 1), (n_rows, n_cols)).options(ndim=2).value
        return _trim([list(r) for r in values])

    def _target(self, sheet: str, row: int, col: int, data: list[list[Any]]) -> Any:
        height, width = len(data), len(data[0])
        return self.book.sheets[sheet].range((row, col), (row + height - 1, col + width - 1))

    def write_values(self, sheet: str, row: int, col: int, rows: Rows) -> None:
        data = [[_as_text(v) for v in r] for r in block(rows)]
        if data and data[0]:
            self._target(sheet, row, col, data).value = data

    def write_formulas(self, sheet: str, row: int, col: int, rows: Rows) -> None:
        data = block(rows)
        if data and data[0]:
            self._target(sheet, row, col, data).formula = data

    def write_array(self, sheet: str, block: str, formula: str) -> None:
        from xlkpi.workbook.xlsx_patch import split_ref

        (r1, c1), (r2, c2) = (split_ref(corner) for corner in block.split(":"))
        target = self.book.sheets[sheet].range((r1, c1), (r2, c2))
        short, parts = short_array_formula(formula)
        target.formula_array = short
        for placeholder, text in parts:  # Range.Replace has no length limit
            target.api.Replace(placeholder, text, XL_PART)

    def clear_rows(self, sheet: str, first_row: int) -> None:
        ws = self.book.sheets[sheet]
        last = ws.used_range.last_cell
        if last.row >= first_row:
            ws.range((first_row, 1), (last.row, last.column)).clear_contents()

    def add_sheet(self, name: str, *, hidden: bool = False) -> None:
        if name in self.sheet_names():
            return
        sheets = self.book.sheets
        new = sheets.add(name, after=sheets[len(sheets) - 1])
        if hidden:
            new.visible = False

    def selection(self) -> tuple[str, int] | None:
        selected = self.book.selection
        if selected is None:
            return None
        return selected.sheet.name, selected.row

    def message(self, text: str, title: str = TITLE, *, error: bool = False) -> None:
        if len(text) > MESSAGE_LIMIT:
            text = text[: MESSAGE_LIMIT - 1] + "…"
        self.app.alert(text, title=title, mode="critical" if error else "info")

    def status(self, text: str | None) -> None:
        self.app.status_bar = False if text is None else text

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        app = self.app
        updating, calculation = app.screen_updating, app.calculation
        app.screen_updating = False
        app.calculation = "manual"
        try:
            yield
        finally:
            app.calculation = calculation
            app.screen_updating = updating

    def protection(self, sheet: str) -> SheetProtection | None:
        """The sheet's protection settings, None when it is not protected."""
        api = self.book.sheets[sheet].api
        if _on_mac():
            return _mac_protection(api)
        contents = bool(api.ProtectContents)
        drawing, scenarios = bool(api.ProtectDrawingObjects), bool(api.ProtectScenarios)
        if not (contents or drawing or scenarios):
            return None
        allowed = api.Protection
        return SheetProtection(
            contents,
            drawing,
            scenarios,
            tuple(bool(getattr(allowed, flag)) for flag in ALLOW_FLAGS),
            int(api.EnableSelection),
        )

    def protect(self, sheet: str, protection: SheetProtection) -> None:
        """Protect the sheet with exactly these settings (no password, as the template)."""
        api = self.book.sheets[sheet].api
        if _on_mac():
            _mac_protect(api, protection)
            return
        api.Protect(
            DrawingObjects=protection.drawing_objects,
            Contents=protection.contents,
            Scenarios=protection.scenarios,
            **dict(zip(ALLOW_FLAGS, protection.allow, strict=True)),
        )
        api.EnableSelection = protection.enable_selection

    @contextlib.contextmanager
    def unprotected(self, sheets: Iterable[str]) -> Iterator[None]:
        present = set(self.sheet_names())
        undone: list[tuple[str, SheetProtection]] = []
        try:
            for name in dict.fromkeys(sheets):
                if name not in present:
                    continue
                protection = self.protection(name)
                if protection is None:
                    continue
                try:
                    api = self.book.sheets[name].api
                    api.unprotect() if _on_mac() else api.Unprotect()
                except Exception as exc:
                    raise ProtectedSheetError(name) from exc
                undone.append((name, protection))
            yield
        finally:
            for name, protection in reversed(undone):
                self.protect(name, protection)

    def save(self) -> None:
        self.book.save()

    def open_other(self, path: Path) -> None:
        self.app.books.open(str(path))


def _on_mac() -> bool:
    return sys.platform.startswith("darwin")


def _snake(flag: str) -> str:
    """``AllowFormattingCells`` → ``allow_formatting_cells`` (appscript's names on a Mac)."""
    return "".join("_" + c.lower() if c.isupper() else c for c in flag).lstrip("_")


def _mac_protection(api: Any) -> SheetProtection | None:
    """:meth:`XlwingsWorkbook.protection` through Excel's AppleScript dictionary (appscript).

    Not verified against a Mac Excel here (none available); the names follow the dictionary's
    ``protect contents`` / ``protection`` / ``allow formatting cells`` terms.
    """
    contents = bool(api.protect_contents.get())
    drawing, scenarios = bool(api.protect_drawing_objects.get()), bool(api.protect_scenarios.get())
    if not (contents or drawing or scenarios):
        return None
    allowed = api.protection
    flags = tuple(bool(getattr(allowed, _snake(f)).get()) for f in ALLOW_FLAGS)
    return SheetProtection(contents, drawing, scenarios, flags, 0)


def _mac_protect(api: Any, protection: SheetProtection) -> None:
    api.protect(
        drawing_objects=protection.drawing_objects,
        contents=protection.contents,
        scenarios=protection.scenarios,
        **{_snake(f): v for f, v in zip(ALLOW_FLAGS, protection.allow, strict=True)},
    )


class FileWorkbook:
    """:class:`WorkbookAccess` over a workbook file through openpyxl (tests, headless use).

    Messages and status texts are kept in :attr:`messages` / :attr:`statuses`; :attr:`selected`
    plays the selected cell; :attr:`opened` lists books :meth:`open_other` was asked to open.
    """

    def __init__(self, path: Path, selected: tuple[str, int] | None = None) -> None:
        import openpyxl

        self._path = Path(path)
        keep_vba = self._path.suffix.lower() in (".xlsm", ".xlam")
        self.wb = openpyxl.load_workbook(self._path, keep_vba=keep_vba)
        self._cached: Any = None  # the file's cached formula results, loaded when first needed
        self.selected = selected
        self.messages: list[tuple[str, str, bool]] = []
        self.statuses: list[str | None] = []
        self.opened: list[Path] = []

    @property
    def path(self) -> Path:
        return self._path

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def read_rows(self, sheet: str, max_rows: int | None = None) -> list[list[Any]]:
        ws = self.wb[sheet]
        n_rows = ws.max_row if max_rows is None else min(ws.max_row, max_rows)
        rows = [list(r) for r in ws.iter_rows(max_row=n_rows, values_only=True)]
        cached: list[list[Any]] | None = None
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                # a formula (an array formula's master cell is an object holding its text)
                if (isinstance(value, str) and value.startswith("=")) or hasattr(value, "ref"):
                    if cached is None:
                        cached = self._cached_rows(sheet, n_rows)
                    row[c] = cached[r][c] if r < len(cached) and c < len(cached[r]) else None
        return _trim(rows)

    def _cached_rows(self, sheet: str, n_rows: int) -> list[list[Any]]:
        if self._cached is None:
            import openpyxl

            self._cached = openpyxl.load_workbook(self._path, data_only=True)
        if sheet not in self._cached.sheetnames:
            return []
        ws = self._cached[sheet]
        return [list(r) for r in ws.iter_rows(max_row=n_rows, values_only=True)]

    def write_values(self, sheet: str, row: int, col: int, rows: Rows) -> None:
        self._write(sheet, row, col, rows, formulas=False)

    def write_formulas(self, sheet: str, row: int, col: int, rows: Rows) -> None:
        self._write(sheet, row, col, rows, formulas=True)

    def _write(self, sheet: str, row: int, col: int, rows: Rows, formulas: bool) -> None:
        ws = self.wb[sheet]
        for r, values in enumerate(block(rows), start=row):
            for c, value in enumerate(values, start=col):
                cell = ws.cell(r, c)
                cell.value = value
                if not formulas and isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text, not a formula

    def write_array(self, sheet: str, block: str, formula: str) -> None:
        from openpyxl.worksheet.formula import ArrayFormula

        ws = self.wb[sheet]
        ws[block.split(":")[0]] = ArrayFormula(block, formula)

    def clear_rows(self, sheet: str, first_row: int) -> None:
        ws = self.wb[sheet]
        for cells in ws.iter_rows(min_row=first_row, max_row=ws.max_row):
            for cell in cells:
                cell.value = None

    def add_sheet(self, name: str, *, hidden: bool = False) -> None:
        if name in self.wb.sheetnames:
            return
        ws = self.wb.create_sheet(name)
        if hidden:
            ws.sheet_state = "hidden"

    def selection(self) -> tuple[str, int] | None:
        return self.selected

    def message(self, text: str, title: str = TITLE, *, error: bool = False) -> None:
        self.messages.append((title, text, error))

    def status(self, text: str | None) -> None:
        self.statuses.append(text)

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        yield

    @contextlib.contextmanager
    def unprotected(self, sheets: Iterable[str]) -> Iterator[None]:
        """openpyxl writes through protection; the sheets keep theirs untouched."""
        yield

    def save(self) -> None:
        self.wb.save(self._path)

    def open_other(self, path: Path) -> None:
        self.opened.append(Path(path))
