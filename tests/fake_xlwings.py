"""A fake of exactly the xlwings surface XlwingsWorkbook uses, recording every call.

``FakeBook(fullname, {sheet: rows})`` plays ``xw.Book``; cells live in a dict per sheet.
Every read, write, clear and app call is appended to ``book.calls`` as a tuple, so tests can
assert that writes are batched per block. Anything outside the surface raises (no
``__getattr__`` fallbacks), and a write must be a list of lists exactly the range's shape
holding only values Excel takes through COM (no Decimal).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

Call = tuple[Any, ...]
_CELL_TYPES = (type(None), str, int, float, bool, date, datetime)


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

    def _write(self, kind: str, data: Any) -> None:
        assert isinstance(data, list) and all(isinstance(r, list) for r in data), data
        assert (len(data), len(data[0])) == self.shape, (len(data), len(data[0]), self.shape)
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
        self.sheet.calls.append(("clear_contents", self.sheet.name, self.first, self.last))
        for key in self._cells():
            self.sheet.cells.pop(key, None)


class FakeSheet:
    def __init__(self, calls: list[Call], name: str, rows: list[list[Any]] | None = None) -> None:
        self.calls = calls
        self.name = name
        self.visible = True
        self.cells: dict[tuple[int, int], Any] = {}
        for r, row in enumerate(rows or [], start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    self.cells[(r, c)] = value

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

    def writes(self, sheet: str | None = None) -> list[Call]:
        """The value / formula writes made (to one sheet)."""
        return [
            c
            for c in self.calls
            if c[0] in ("value", "formula") and (sheet is None or c[1] == sheet)
        ]
