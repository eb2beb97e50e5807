"""A fake of exactly the xlwings surface XlwingsWorkbook uses, recording every call.

``FakeBook(fullname, {sheet: rows})`` plays ``xw.Book``; cells live in a dict per sheet.
Every read, write, clear and app call is appended to ``book.calls`` as a tuple, so tests can
assert that writes are batched per block. Anything outside the surface raises (no
``__getattr__`` fallbacks), and a write must be a list of lists exactly the range's shape
holding only values Excel takes through COM (no Decimal).

Sheet protection behaves as in Excel: ``sheet.api`` plays the COM ``Worksheet`` (``Protect``,
``Unprotect``, ``ProtectContents``, ``ProtectDrawingObjects``, ``ProtectScenarios``,
``EnableSelection``, ``Protection.Allow…``), cells are locked unless listed as unlocked, and
writing or clearing a locked cell of a protected sheet raises :class:`FakeComError` (Excel
refuses macro writes there: ``UserInterfaceOnly`` is not saved in the file).
:func:`from_file` gives a fake holding a workbook file's values, protection and unlocked cells.

Legacy array formulas behave as in Excel too: ``range.formula_array = "=…"`` enters one formula
over the whole range (``sheet.arrays``; the values stay what they were until Excel computes;
at most 255 characters, as Excel's ``FormulaArray``; ``range.api.Replace`` edits it whole),
and a write or clear that covers **part** of an array raises :class:`FakeComError` ("You can't
change part of an array"); covering all of it replaces the array.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

Call = tuple[Any, ...]
_CELL_TYPES = (type(None), str, int, float, bool, date, datetime)
PART_OF_ARRAY_MESSAGE = "You can't change part of an array."
PROTECTED_MESSAGE = (
    "The cell or chart you're trying to change is on a protected sheet. "
    "To make a change, unprotect the sheet."
)
# Excel's Protection.Allow… flags and the <sheetProtection> attribute that locks each one.
ALLOW_ATTRIBUTES = {
    "AllowFormattingCells": "formatCells",
    "AllowFormattingColumns": "formatColumns",
    "AllowFormattingRows": "formatRows",
    "AllowInsertingColumns": "insertColumns",
    "AllowInsertingRows": "insertRows",
    "AllowInsertingHyperlinks": "insertHyperlinks",
    "AllowDeletingColumns": "deleteColumns",
    "AllowDeletingRows": "deleteRows",
    "AllowSorting": "sort",
    "AllowFiltering": "autoFilter",
    "AllowUsingPivotTables": "pivotTables",
}
XL_NO_RESTRICTIONS, XL_UNLOCKED_CELLS, XL_NO_SELECTION = 0, 1, -4142
XL_PART = 2  # Range.Replace LookAt
FORMULA_ARRAY_LIMIT = 255  # Range.FormulaArray: the longest formula it takes


class FakeComError(Exception):
    """What pywin32 raises when Excel refuses a call (``pywintypes.com_error``)."""


class FakeProtection:
    """The COM ``Protection`` object: what a protected sheet still allows (read-only)."""

    def __init__(self, allow: dict[str, bool]) -> None:
        for flag in ALLOW_ATTRIBUTES:
            object.__setattr__(self, flag, bool(allow.get(flag, False)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Protection.{name} is read-only (set it through Protect)")


class FakeSheetApi:
    """The COM ``Worksheet`` as far as protection goes, with Excel's defaults and errors."""

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet
        self.ProtectContents = False
        self.ProtectDrawingObjects = False
        self.ProtectScenarios = False
        self.EnableSelection = XL_NO_RESTRICTIONS
        self.Protection = FakeProtection({})
        self._password: str | None = None

    def Protect(
        self,
        Password: str | None = None,
        DrawingObjects: bool = True,
        Contents: bool = True,
        Scenarios: bool = True,
        UserInterfaceOnly: bool = False,
        **allow: bool,
    ) -> None:
        unknown = set(allow) - set(ALLOW_ATTRIBUTES)
        assert not unknown, f"Protect has no argument {unknown}"
        assert not UserInterfaceOnly, "UserInterfaceOnly is not saved in the file"
        self._sheet.calls.append(("protect", self._sheet.name))
        if self.ProtectContents or self.ProtectDrawingObjects or self.ProtectScenarios:
            if Password != self._password:
                raise FakeComError("The password you supplied is not correct.")
        self._password = Password
        self.ProtectDrawingObjects = bool(DrawingObjects)
        self.ProtectContents = bool(Contents)
        self.ProtectScenarios = bool(Scenarios)
        self.Protection = FakeProtection(allow)

    def Unprotect(self, Password: str | None = None) -> None:
        self._sheet.calls.append(("unprotect", self._sheet.name))
        if self._password is not None and Password != self._password:
            raise FakeComError("The password you supplied is not correct.")
        self.ProtectContents = self.ProtectDrawingObjects = self.ProtectScenarios = False
        self._password = None

    def options(self) -> dict[str, Any]:
        """Every protection setting (test helper, not COM)."""
        return {
            "contents": self.ProtectContents,
            "drawing_objects": self.ProtectDrawingObjects,
            "scenarios": self.ProtectScenarios,
            "enable_selection": self.EnableSelection,
            **{flag: getattr(self.Protection, flag) for flag in ALLOW_ATTRIBUTES},
        }


class FakeBooks:
    def __init__(self, calls: list[Call]) -> None:
        self._calls = calls

    def open(self, fullname: str) -> None:
        self._calls.append(("open", fullname))


class FakeApp:
    def __init__(self, calls: list[Call]) -> None:
        self._calls = calls
        self._status: str | bool = False
        self._screen_updating = True
        self._calculation = "automatic"
        self.books = FakeBooks(calls)

    @property
    def status_bar(self) -> str | bool:
        return self._status

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self._calls.append(("status_bar", value))
        self._status = value

    @property
    def screen_updating(self) -> bool:
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._calls.append(("screen_updating", value))
        self._screen_updating = value

    @property
    def calculation(self) -> str:
        return self._calculation

    @calculation.setter
    def calculation(self, value: str) -> None:
        assert value in ("automatic", "manual", "semiautomatic")
        self._calls.append(("calculation", value))
        self._calculation = value

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str:
        assert mode in (None, "info", "critical")
        self._calls.append(("alert", prompt, title, mode))
        return "ok"


class FakeRange:
    def __init__(self, sheet: FakeSheet, first: tuple[int, int], last: tuple[int, int]) -> None:
        assert 1 <= first[0] <= last[0] and 1 <= first[1] <= last[1], (first, last)
        self.sheet = sheet
        self.first, self.last = first, last
        self._ndim: int | None = None

    @property
    def row(self) -> int:
        return self.first[0]

    @property
    def column(self) -> int:
        return self.first[1]

    @property
    def shape(self) -> tuple[int, int]:
        return self.last[0] - self.first[0] + 1, self.last[1] - self.first[1] + 1

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.last, self.last)

    def options(self, **kwargs: Any) -> FakeRange:
        assert kwargs == {"ndim": 2}, kwargs
        out = FakeRange(self.sheet, self.first, self.last)
        out._ndim = 2
        return out

    def _cells(self) -> list[tuple[int, int]]:
        return [
            (r, c)
            for r in range(self.first[0], self.last[0] + 1)
            for c in range(self.first[1], self.last[1] + 1)
        ]

    @property
    def value(self) -> list[list[Any]]:
        assert self._ndim == 2, "read through .options(ndim=2)"
        self.sheet.calls.append(("read", self.sheet.name, self.first, self.last))
        rows, cols = self.shape
        return [
            [self.sheet.cells.get((self.first[0] + r, self.first[1] + c)) for c in range(cols)]
            for r in range(rows)
        ]

    @value.setter
    def value(self, data: Any) -> None:
        self._write("value", data)

    @property
    def formula(self) -> Any:
        raise AssertionError("the access layer never reads formulas")

    @formula.setter
    def formula(self, data: Any) -> None:
        self._write("formula", data)

    @property
    def formula_array(self) -> Any:
        raise AssertionError("the access layer never reads formulas")

    @formula_array.setter
    def formula_array(self, formula: Any) -> None:
        assert isinstance(formula, str) and formula.startswith("="), formula
        if len(formula) > FORMULA_ARRAY_LIMIT:  # Excel's VBA reference: at most 255 characters
            raise FakeComError("Unable to set the FormulaArray property of the Range class")
        self.sheet.refuse_if_locked(self._cells())
        self.sheet.refuse_part_of_array(self.first, self.last)
        self.sheet.calls.append(("formula_array", self.sheet.name, self.first, self.last))
        self.sheet.arrays[(self.first, self.last)] = formula

    @property
    def api(self) -> FakeRangeApi:
        return FakeRangeApi(self)

    def _write(self, kind: str, data: Any) -> None:
        assert isinstance(data, list) and all(isinstance(r, list) for r in data), data
        assert (len(data), len(data[0])) == self.shape, (len(data), len(data[0]), self.shape)
        self.sheet.refuse_if_locked(self._cells())
        self.sheet.refuse_part_of_array(self.first, self.last)
        self.sheet.calls.append((kind, self.sheet.name, self.first, self.last))
        for r, row in enumerate(data):
            assert len(row) == self.shape[1]
            for c, value in enumerate(row):
                assert isinstance(value, _CELL_TYPES), f"{type(value).__name__} sent to Excel"
                key = (self.first[0] + r, self.first[1] + c)
                if value is None or value == "":
                    self.sheet.cells.pop(key, None)
                else:
                    self.sheet.cells[key] = value

    def clear_contents(self) -> None:
        self.sheet.refuse_if_locked(self._cells())
        self.sheet.refuse_part_of_array(self.first, self.last)
        self.sheet.calls.append(("clear_contents", self.sheet.name, self.first, self.last))
        for key in self._cells():
            self.sheet.cells.pop(key, None)


class FakeRangeApi:
    """The COM ``Range`` as far as the access layer uses it: ``Replace`` (in formulas)."""

    def __init__(self, rng: FakeRange) -> None:
        self._range = rng

    def Replace(self, What: str, Replacement: str, LookAt: int = XL_PART) -> bool:
        assert LookAt == XL_PART, "only LookAt:=xlPart is used"
        sheet = self._range.sheet
        sheet.refuse_if_locked(self._range._cells())
        sheet.calls.append(("replace", sheet.name, self._range.first, self._range.last))
        key = (self._range.first, self._range.last)
        if key in sheet.arrays:  # an array formula is replaced as a whole, at any length
            sheet.arrays[key] = sheet.arrays[key].replace(What, Replacement)
        return True


class FakeSheet:
    def __init__(self, calls: list[Call], name: str, rows: list[list[Any]] | None = None) -> None:
        self.calls = calls
        self.name = name
        self.visible = True
        self.cells: dict[tuple[int, int], Any] = {}
        self.unlocked: set[tuple[int, int]] = set()
        # legacy array formulas: ((first row, col), (last row, col)) → formula
        self.arrays: dict[tuple[tuple[int, int], tuple[int, int]], str] = {}
        self.api = FakeSheetApi(self)
        for r, row in enumerate(rows or [], start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    self.cells[(r, c)] = value

    def refuse_if_locked(self, cells: list[tuple[int, int]]) -> None:
        """Raise as Excel does when a locked cell of a protected sheet would change."""
        if self.api.ProtectContents and any(cell not in self.unlocked for cell in cells):
            self.calls.append(("refused", self.name))
            raise FakeComError(PROTECTED_MESSAGE)

    def refuse_part_of_array(self, first: tuple[int, int], last: tuple[int, int]) -> None:
        """Raise as Excel does when a change covers part of an array formula's block; a change
        covering a whole block replaces that array."""
        for a, b in list(self.arrays):
            overlaps = a[0] <= last[0] and first[0] <= b[0] and a[1] <= last[1] and first[1] <= b[1]
            if not overlaps:
                continue
            covers = first[0] <= a[0] and first[1] <= a[1] and b[0] <= last[0] and b[1] <= last[1]
            if not covers:
                self.calls.append(("refused", self.name))
                raise FakeComError(PART_OF_ARRAY_MESSAGE)
            del self.arrays[(a, b)]

    @property
    def used_range(self) -> FakeRange:
        if not self.cells:
            return FakeRange(self, (1, 1), (1, 1))
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return FakeRange(self, (min(rows), min(cols)), (max(rows), max(cols)))

    def range(self, first: tuple[int, int], last: tuple[int, int]) -> FakeRange:
        assert isinstance(first, tuple) and isinstance(last, tuple), "use (row, col) tuples"
        return FakeRange(self, first, last)

    def rows(self) -> list[list[Any]]:
        """The sheet's cells as rows from A1 (test helper, not xlwings)."""
        if not self.cells:
            return []
        n_rows = max(r for r, _ in self.cells)
        n_cols = max(c for _, c in self.cells)
        return [
            [self.cells.get((r, c)) for c in range(1, n_cols + 1)] for r in range(1, n_rows + 1)
        ]


class FakeSheets:
    def __init__(self, calls: list[Call], sheets: list[FakeSheet]) -> None:
        self._calls = calls
        self._sheets = sheets

    def __iter__(self) -> Any:
        return iter(list(self._sheets))

    def __len__(self) -> int:
        return len(self._sheets)

    def __getitem__(self, key: str | int) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        for sheet in self._sheets:
            if sheet.name == key:
                return sheet
        raise KeyError(key)

    def add(self, name: str, before: Any = None, after: FakeSheet | None = None) -> FakeSheet:
        assert before is None
        self._calls.append(("add_sheet", name, after.name if after else None))
        sheet = FakeSheet(self._calls, name)
        index = self._sheets.index(after) + 1 if after is not None else 0
        self._sheets.insert(index, sheet)
        return sheet


class FakeSelection:
    def __init__(self, sheet: FakeSheet, row: int) -> None:
        self.sheet = sheet
        self.row = row


class FakeBook:
    def __init__(self, fullname: str, sheets: dict[str, list[list[Any]]]) -> None:
        self.calls: list[Call] = []
        self.fullname = fullname
        self.app = FakeApp(self.calls)
        self.sheets = FakeSheets(
            self.calls, [FakeSheet(self.calls, n, rows) for n, rows in sheets.items()]
        )
        self.selection: FakeSelection | None = None

    def select(self, sheet: str, row: int) -> None:
        """Play a person clicking a cell (test helper)."""
        self.selection = FakeSelection(self.sheets[sheet], row)

    def save(self) -> None:
        self.calls.append(("save",))

    def protect(
        self, sheet: str, unlocked: set[tuple[int, int]] = frozenset(), **options: Any
    ) -> None:
        """Protect a sheet as a saved workbook arrives protected (test helper)."""
        ws = self.sheets[sheet]
        ws.unlocked = set(unlocked)
        selection = options.pop("EnableSelection", XL_NO_RESTRICTIONS)
        ws.api.Protect(**options)
        ws.api.EnableSelection = selection
        self.calls.remove(("protect", sheet))

    def writes(self, sheet: str | None = None) -> list[Call]:
        """The value / formula writes made (to one sheet)."""
        return [
            c
            for c in self.calls
            if c[0] in ("value", "formula") and (sheet is None or c[1] == sheet)
        ]


def from_file(path: Path, fullname: str | None = None) -> FakeBook:
    """A fake live book holding what Excel shows for a file: the values (formulas as their
    cached results), each sheet's protection as saved and its unlocked cells."""
    import openpyxl
    from openpyxl.utils import range_boundaries
    from openpyxl.worksheet.formula import ArrayFormula

    from xlkpi.workbook.access import FileWorkbook

    values = FileWorkbook(path)
    book = FakeBook(fullname or str(path), {n: values.read_rows(n) for n in values.sheet_names()})
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, ArrayFormula):
                    c1, r1, c2, r2 = range_boundaries(cell.value.ref)
                    book.sheets[ws.title].arrays[((r1, c1), (r2, c2))] = cell.value.text
        p = ws.protection
        if not p.sheet:
            continue
        unlocked = {
            (cell.row, cell.column)
            for row in ws.iter_rows()
            for cell in row
            if cell.protection is not None and not cell.protection.locked
        }
        if p.selectLockedCells:
            selection = XL_UNLOCKED_CELLS if not p.selectUnlockedCells else XL_NO_SELECTION
        else:
            selection = XL_NO_RESTRICTIONS
        book.protect(
            ws.title,
            unlocked,
            Password=None,
            DrawingObjects=bool(p.objects),
            Contents=True,
            Scenarios=bool(p.scenarios),
            EnableSelection=selection,
            **{flag: not getattr(p, attr) for flag, attr in ALLOW_ATTRIBUTES.items()},
        )
    return book
