"""Write cell values and formulas into an .xlsx/.xlsm, rewriting only the sheet parts that change.

Every other zip member is copied with its compressed bytes untouched. Sheet XML is patched as a byte
stream, row by row: rows without edits are copied verbatim, rows with edits are re-serialised cell
by cell, keeping each cell's ``s`` (style) and ``<f>`` (formula, shared/array attributes included).
Two fast paths give the same bytes as that general path (tests compare them): rows with no source
row -- every row from ``clear_rows_from`` on, rows past the old end or in gaps -- are written
straight from the plan in one pass of string building (``_NewCells``); in rows whose cells all
start ``<c r="…"``, edited cells are found by ``bytes.find`` and missing ones inserted in place.

Cached values and recalculation -- the decision:

* A formula cell keeps its ``<f>``; we only set its cached ``<v>`` (and ``t``: ``str`` for text,
  ``e`` for errors, ``b`` for booleans, none for numbers). Non-recalculating readers (calamine,
  openpyxl ``data_only``, LibreOffice in its default "never recalculate" mode, WPS) show our
  numbers; openpyxl in normal mode and Excel still see the formulas.
* ``<calcPr>`` in workbook.xml is rewritten on every patch by
  :func:`xlkpi.workbook.calc_properties.fix_workbook_xml`: no ``fullCalcOnLoad``, a ``calcId``
  no current Excel is newer than (the reasons, in the standard's words, are in that module).
  Otherwise Excel would throw our cached values away on open, and without the add-in loaded
  every UDF cell would show ``#NAME?``. LibreOffice 7.4 with a default profile shows the cached
  values whatever calcPr says (measured), as do calamine, openpyxl ``data_only`` and WPS.
* ``xl/calcChain.xml`` is removed (with its relationship and content-type override) whenever a
  workbook is patched. The chain lists formula cells in calculation order; a chain naming a cell
  that no longer holds a formula (rows dropped by ``clear_rows_from``, formulas replaced) makes
  Excel "repair" the file. Excel rebuilds a missing chain silently, and this is the guidance
  Microsoft gives for generated files. The sheets' formulas and cached values are unaffected.

Not touched: sharedStrings (text goes in as inline strings, so its ``count`` may overstate
references after a shared-string cell is overwritten -- readers tolerate that), tables, merged
cells, conditional formats and data validations (their ranges stay as they were).
"""

from __future__ import annotations

import posixpath
import re
import struct
import zlib
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree as ET
from zipfile import BadZipFile, ZipFile, ZipInfo

from xlkpi import messages
from xlkpi.errors import InvalidNumberError, WorkbookError
from xlkpi.workbook.calc_properties import fix_workbook_xml

EXCEL_ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)
COMPRESS_LEVEL = 1  # deflate level for rewritten parts: see benchmarks/io_floor.py
_MAX_ROW = 1_048_576
_MAX_COL = 16_384


@dataclass(frozen=True)
class ExcelError:
    """An Excel error value such as ``#VALUE!``, written as a cell of type ``e``."""

    code: str

    def __post_init__(self) -> None:
        if self.code not in EXCEL_ERROR_CODES:
            allowed = ", ".join(sorted(EXCEL_ERROR_CODES))
            raise ValueError(f"not an Excel error code: {self.code!r}; allowed: {allowed}")

    def __str__(self) -> str:
        return self.code


CellValue = Decimal | int | float | str | bool | ExcelError | None


@dataclass
class SheetEdit:
    """What to change in one sheet. Cell references are A1-style without ``$`` ("H12").

    values: cell -> value. A formula cell keeps its formula and gets this as cached value; any
        other cell gets the value itself. ``None`` clears the (cached) value, keeping the cell.
    formulas: cell -> formula ("=B2*2" or "B2*2"), replacing any formula there; the cached value
        comes from ``values`` (none if absent).
    styles: cell -> cellXfs index, set on the cell (new or existing).
    style_from_row: new cells without an entry in ``styles`` take the style of the cell in the
        same column of this row *as it is in the source* (even if ``clear_rows_from`` drops it);
        new rows also copy its height and row style.
    clear_rows_from: drop every source row numbered at or after this one before applying edits.
    formats: cell -> number format code ("#,##0.00"), set as a plain style (the default style
        with that format, see xlkpi.cell_formats) unless ``styles`` names one for the cell.
    columns: when given, replaces the sheet's column widths: 1-based column -> (width, hidden).
    arrays: block ("D2:AB1001") -> formula: a legacy (CSE) array formula, written on the block's
        top-left (master) cell as ``<f t="array" ref="D2:AB1001">``; every cell of the block
        takes its cached value from ``values``, text as ``t="str"`` (a formula result), as
        Excel stores an array's cells. Blocks must not overlap each other or ``formulas``.
    rows: row -> {1-based column -> value}: more ``values``, by number (a large edit's way:
        no "H12" strings to build and parse); where a cell is in both, ``values`` wins.
    column_formats: 1-based column -> number format code, as ``formats`` for every cell of
        ``rows`` in that column (a large edit's way: no reference per cell); ``formats`` and
        ``styles`` win where they name the cell.
    column_styles: 1-based column -> cellXfs index, as ``styles`` for every cell of ``rows`` in
        that column; ``styles`` wins where it names the cell (``column_formats`` become these).
    """

    values: dict[str, CellValue] = field(default_factory=dict)
    formulas: dict[str, str] = field(default_factory=dict)
    styles: dict[str, int] = field(default_factory=dict)
    style_from_row: int | None = None
    clear_rows_from: int | None = None
    formats: dict[str, str] = field(default_factory=dict)
    columns: dict[int, tuple[float, bool]] | None = None
    arrays: dict[str, str] = field(default_factory=dict)
    rows: dict[int, dict[int, CellValue]] = field(default_factory=dict)
    column_formats: dict[int, str] = field(default_factory=dict)
    column_styles: dict[int, int] = field(default_factory=dict)
    create_as: str | None = None
    """When the workbook has no such sheet: add it, empty, in this state ("hidden", …:
    :mod:`xlkpi.workbook.new_sheets`) and apply the edit there; None: a missing sheet is an
    error."""


class _ArrayFormula(str):
    """The formula of an array's master cell; ``ref`` is its block (``D2:AB1001``)."""

    ref: str

    def __new__(cls, formula: str, ref: str) -> _ArrayFormula:
        made = super().__new__(cls, formula)
        made.ref = ref
        return made


class _ArrayText(str):
    """Text cached in a cell of an array block: written ``t="str"`` (a formula's result)."""


class _InArray(str):
    """In a plan's formulas: a non-master cell of an array block — any ``<f>`` it holds in the
    source is dropped (the master's formula fills it)."""


_IN_ARRAY = _InArray("")


# For callers that rewrite the cached values of an array block already in the file (no
# ``arrays`` in their edit): text wrapped in it is written ``t="str"`` as well.
FormulaText = _ArrayText


def _f_open(formula: str, p: str = "") -> str:
    """The opening ``<f>`` tag of a formula (with ``t="array" ref=…`` for an array master)."""
    if type(formula) is _ArrayFormula:
        return f'<{p}f t="array" ref="{formula.ref}">'
    return f"<{p}f>"


# ---------------------------------------------------------------------------------------------
# cell references


_REF_RE = re.compile(r"([A-Za-z]{1,3})([1-9][0-9]{0,6})")


@lru_cache(maxsize=4096)
def column_index(letters: str) -> int:
    """1-based column number of column letters: ``"A"`` -> 1, ``"AA"`` -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


@lru_cache(maxsize=4096)
def column_letters(index: int) -> str:
    """Column letters of a 1-based column number: 1 -> ``"A"``, 27 -> ``"AA"``."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def split_ref(ref: str) -> tuple[int, int]:
    """``"H12"`` -> (row 12, column 8). Raises ValueError for anything else."""
    m = _REF_RE.fullmatch(ref)
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}; expected e.g. 'H12'")
    row, col = int(m.group(2)), column_index(m.group(1))
    if row > _MAX_ROW or col > _MAX_COL:
        raise ValueError(f"cell reference outside the sheet: {ref!r}")
    return row, col


# ---------------------------------------------------------------------------------------------
# value encoding

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPE_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def quote_attr(text: str) -> str:
    """``text`` as a double-quoted XML attribute value (as ``xml.sax.saxutils.quoteattr``
    with double quotes always; that module imports urllib and http.client, 8 ms at start)."""
    for char, entity in _ATTR_ENTITIES:
        if char in text:
            text = text.replace(char, entity)
    return f'"{text}"'


_ATTR_ENTITIES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
    ("\t", "&#9;"),
)


def _xml_str(text: str) -> str:
    """Text as XML character data; characters XML cannot hold use Excel's ``_xHHHH_`` escape.

    ``&``, ``<``, ``>`` and CR are escaped as entities; quotes stay as they are (element text).
    Each step is skipped by a C-level test when it has nothing to do (most formulas).
    """
    if "_x" in text:
        text = _ESCAPE_LOOKALIKE.sub(r"_x005F_\1", text)
    if not text.isprintable() and _ILLEGAL_XML.search(text):  # printable => no illegal chars
        text = _ILLEGAL_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _xml_text(text: str) -> bytes:
    """:func:`_xml_str` as UTF-8 bytes."""
    return _xml_str(text).encode("utf-8")


def number_text(value: Decimal | int | float) -> str:
    """The exact text of a number for ``<v>``: Decimal("1410.10") -> "1410.1", no float detour."""
    if isinstance(value, Decimal):
        text = str(value)
        if text[-1].isdigit() and "E" not in text:  # plain notation: trim trailing zeros only
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return "0" if text == "-0" else text
        if not value.is_finite():
            raise InvalidNumberError(messages.t("patch.not_finite", value=value))
        if value.is_zero():
            return "0"
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidNumberError(messages.t("patch.not_finite", value=value))
        return repr(value) if value != 0 else "0"
    return str(int(value))


def _encode(value: CellValue, is_formula: bool) -> tuple[bytes | None, bytes]:
    """(t attribute or None, children after ``<f>``) for a value."""
    if value is None:
        return None, b""
    if isinstance(value, bool):
        return b"b", b"<v>" + (b"1" if value else b"0") + b"</v>"
    if isinstance(value, Decimal | int | float):
        return None, b"<v>" + number_text(value).encode() + b"</v>"
    if isinstance(value, ExcelError):
        return b"e", b"<v>" + value.code.encode() + b"</v>"
    if isinstance(value, str):
        if is_formula or type(value) is _ArrayText:
            return b"str", b"<v>" + _xml_text(value) + b"</v>"
        space = b' xml:space="preserve"' if value != value.strip() or "\n" in value else b""
        return b"inlineStr", b"<is><t" + space + b">" + _xml_text(value) + b"</t></is>"
    raise TypeError(f"cannot write a {type(value).__name__} into a cell: {value!r}")


# ---------------------------------------------------------------------------------------------
# the edit plan for one sheet


@dataclass
class _CellPlan:
    """One cell's edit for the general path; ``formula`` is XML-escaped, without "="."""

    has_value: bool = False
    value: CellValue = None
    formula: str | None = None
    style: int | None = None
    array_ref: str | None = None  # the block of an array formula's master cell
    drop_formula: bool = False  # a non-master cell of an array block: no <f> of its own


# A row's edits: column -> the plain value to write, or a _CellPlan when a formula or style is
# set too. Plain values are the hot path (cached results of existing formula cells).
_RowEdits = dict[int, object]
_EMPTY: dict[int, object] = {}


@dataclass
class _SheetPlan:
    """The edits by row then column: values, formulas (as given) and styles kept apart."""

    values: dict[int, dict[int, CellValue]]
    formulas: dict[int, dict[int, str]]
    styles: dict[int, dict[int, int]]
    style_from_row: int | None
    clear_rows_from: int | None

    def row_numbers(self) -> list[int]:
        """Every edited row, ascending."""
        if not self.formulas and not self.styles:
            return sorted(self.values)
        return sorted(self.values.keys() | self.formulas.keys() | self.styles.keys())

    def row_edits(self, r: int) -> _RowEdits:
        """One row's edits as column -> plain value, or _CellPlan where a formula/style is set."""
        values = self.values.get(r, _EMPTY)
        formulas = self.formulas.get(r, _EMPTY)
        styles = self.styles.get(r, _EMPTY)
        if not formulas and not styles:
            return values  # type: ignore[return-value]
        edits: _RowEdits = dict(values)
        for c in formulas.keys() | styles.keys():
            f = formulas.get(c)
            inside = type(f) is _InArray
            edits[c] = _CellPlan(
                c in values,
                values.get(c),  # type: ignore[arg-type]
                _formula_xml(f) if f is not None and not inside else None,  # type: ignore[arg-type]
                styles.get(c),  # type: ignore[arg-type]
                f.ref if type(f) is _ArrayFormula else None,
                inside,
            )
        return edits


_DIGITS = "0123456789"
_TWO_LETTERS = 26 * 27  # columns A..ZZ: a sheet's usual width, made at first use in a process
# column letters (upper case) -> column number, A..ZZ; wider columns take the general path
_COLUMN_NUMBERS: dict[str, int] = {}


def _column_numbers() -> dict[str, int]:
    if not _COLUMN_NUMBERS:
        _COLUMN_NUMBERS.update((column_letters(c), c) for c in range(1, _TWO_LETTERS + 1))
    return _COLUMN_NUMBERS


class _ColumnBytes(dict[bytes, int]):
    """Column letters as bytes -> column number, filled as letters are met."""

    def __missing__(self, letters: bytes) -> int:
        number = self[letters] = column_index(letters.decode("ascii"))
        return number


_CELL_TYPES = frozenset({Decimal, str, int, float, bool, ExcelError, type(None), _ArrayText})


def _by_row(refs: dict[str, object], items: Iterable[object]) -> dict[int, dict[int, object]]:
    """``{"H12": …}`` keys and ``items`` -> ``{12: {8: item}}``.

    The hot path of a large edit (400,000 cells): the letters are looked up in a dict, and the
    row number is parsed once per run of references in the same row; anything unusual (lower
    case, bad references) goes through :func:`split_ref`, which raises the proper error.
    """
    columns = _column_numbers()
    rows: dict[int, dict[int, object]] = {}
    last_digits, last_r, cols = "", 0, _EMPTY
    for ref, item in zip(refs, items, strict=True):
        letters = ref.rstrip(_DIGITS)
        c = columns.get(letters)
        digits = ref[len(letters) :]
        if digits != last_digits or c is None:
            if c is None or not digits or digits[0] == "0" or len(digits) > 7:
                r, c = split_ref(ref)
                last_digits = ""
            else:
                r = int(digits)
                if r > _MAX_ROW:
                    split_ref(ref)  # raises
                last_digits = digits
            if r != last_r:
                cols = rows.get(r)  # type: ignore[assignment]
                if cols is None:
                    cols = rows[r] = {}
                last_r = r
        cols[c] = item
    return rows


def _formula_xml(formula: str) -> str:
    """A formula as the text of ``<f>``: without its leading "=", XML-escaped."""
    f = formula[1:] if formula[:1] == "=" else formula
    if "&" in f or "<" in f or ">" in f or "_x" in f or "\r" in f or not f.isprintable():
        f = _xml_str(f)
    return f


def _check_formulas(formulas: dict[str, str]) -> None:
    """Refuse empty formulas ("" or "=")."""
    texts = formulas.values()
    if "" in texts or "=" in texts:
        ref = next(ref for ref, f in formulas.items() if f in ("", "="))
        raise ValueError(f"empty formula for {ref}")


def _check_rows(rows: dict[int, dict[int, CellValue]]) -> None:
    """Refuse row or column numbers outside the sheet and values no cell can hold."""
    used = [r for r, cols in rows.items() if cols]
    if used and not (
        1 <= min(used) <= max(used) <= _MAX_ROW
        and 1 <= min(map(min, map(rows.__getitem__, used)))  # type: ignore[type-var]
        and max(map(max, map(rows.__getitem__, used))) <= _MAX_COL  # type: ignore[type-var]
    ):
        r, cols = next(
            (r, cols)
            for r, cols in rows.items()
            if cols and not (1 <= r <= _MAX_ROW and 1 <= min(cols) <= max(cols) <= _MAX_COL)
        )
        raise ValueError(f"cell outside the sheet: row {r}, columns {sorted(cols)}")
    if not set(map(type, chain.from_iterable(map(dict.values, rows.values())))) <= _CELL_TYPES:
        for r, cols in rows.items():
            for c, value in cols.items():
                if not isinstance(value, CellValue):  # type: ignore[arg-type]
                    ref = f"{column_letters(c)}{r}"
                    raise TypeError(f"cannot write a {type(value).__name__} into {ref}: {value!r}")


def _plan(edit: SheetEdit) -> _SheetPlan:
    if not set(map(type, edit.values.values())) <= _CELL_TYPES:
        for ref, value in edit.values.items():
            if not isinstance(value, CellValue):  # type: ignore[arg-type]
                raise TypeError(f"cannot write a {type(value).__name__} into {ref}: {value!r}")
    _check_rows(edit.rows)
    _check_formulas(edit.formulas)
    for ref, style in edit.styles.items():
        if style < 0:
            raise ValueError(f"style index must be >= 0, got {style} for {ref}")
    for col, style in edit.column_styles.items():
        if style < 0 or not 1 <= col <= _MAX_COL:
            raise ValueError(f"column style must be >= 0 in columns 1..{_MAX_COL}: {col}={style}")
    for name, row in (
        ("clear_rows_from", edit.clear_rows_from),
        ("style_from_row", edit.style_from_row),
    ):
        if row is not None and not 1 <= row <= _MAX_ROW:
            raise ValueError(f"{name} must be a row number 1..{_MAX_ROW}, got {row}")
    values: dict[str, object] = edit.values  # type: ignore[assignment]
    formulas: dict[str, str] = edit.formulas
    blocks: list[tuple[int, int, int, int]] = []
    if edit.arrays:
        values, formulas, blocks = _with_arrays(edit)
    by_row = _by_row(values, values.values())
    if edit.rows:
        by_row = _merge_rows(edit.rows, by_row, edit.arrays)
    formulas_by_row = _by_row(formulas, formulas.values())
    for r1, c1, r2, c2 in blocks:  # the other cells of a block: any formula of their own dropped
        for r in range(r1, r2 + 1):
            cols = formulas_by_row.get(r)
            if cols is None:
                formulas_by_row[r] = dict.fromkeys(range(c1, c2 + 1), _IN_ARRAY)
            else:
                for c in range(c1, c2 + 1):
                    cols.setdefault(c, _IN_ARRAY)
    styles = _by_row(edit.styles, edit.styles.values())
    if edit.column_styles:
        styles = _with_column_styles(styles, edit.rows, edit.column_styles)
    return _SheetPlan(
        by_row,  # type: ignore[arg-type]
        formulas_by_row,  # type: ignore[arg-type]
        styles,  # type: ignore[arg-type]
        edit.style_from_row,
        edit.clear_rows_from,
    )


def _with_column_styles(
    styles: dict[int, dict[int, object]],
    rows: dict[int, dict[int, CellValue]],
    column_styles: dict[int, int],
) -> dict[int, dict[int, object]]:
    """``styles`` (by row) with ``column_styles`` set on every cell of ``rows`` in those
    columns where ``styles`` names none."""
    for r, cols in rows.items():
        wanted = {c: column_styles[c] for c in cols if c in column_styles}
        if wanted:
            given = styles.get(r)
            styles[r] = {**wanted, **given} if given else wanted
    return styles


def _merge_rows(
    rows: dict[int, dict[int, CellValue]],
    by_ref: dict[int, dict[int, object]],
    arrays: dict[str, str],
) -> dict[int, dict[int, object]]:
    """``rows`` with the cells given by reference laid over them (those win), and text inside
    an array's block marked ``t="str"`` (as :func:`_with_arrays` does for ``values``). The
    caller's dicts are not changed; without references or arrays, ``rows`` itself is used."""
    if not by_ref and not arrays:
        return rows  # type: ignore[return-value]
    merged: dict[int, dict[int, object]] = dict(rows)  # type: ignore[arg-type]
    for r, cols in by_ref.items():
        merged[r] = {**rows.get(r, _EMPTY), **cols}
    for block in arrays:
        box = _parse_range(block.encode())
        assert box is not None  # checked by _with_arrays
        r1, c1, r2, c2 = box
        for r in range(r1, r2 + 1):
            given = rows.get(r)
            if not given:
                continue
            texts = {
                c: _ArrayText(value)
                for c, value in given.items()
                if c1 <= c <= c2 and type(value) is str and c not in by_ref.get(r, _EMPTY)
            }
            if texts:
                merged[r] = {**merged[r], **texts}
    return merged


def _with_arrays(
    edit: SheetEdit,
) -> tuple[dict[str, object], dict[str, str], list[tuple[int, int, int, int]]]:
    """The edit's values and formulas with its array formulas folded in: each master cell's
    formula marked as an array over its block, text values inside a block marked ``t="str"``;
    and the blocks (rows and columns), whose other cells :func:`_plan` marks as in the array
    (no reference built per cell)."""
    formulas: dict[str, str] = dict(edit.formulas)
    boxes: list[tuple[int, int, int, int]] = []
    for block, formula in edit.arrays.items():
        box = _parse_range(block.encode())
        if box is None or ":" not in block:
            raise ValueError(f"an array formula needs a block such as D2:AB1001, got {block!r}")
        _check_formulas({block: formula})
        r1, c1, r2, c2 = box
        for other in boxes:
            if r1 <= other[2] and other[0] <= r2 and c1 <= other[3] and other[1] <= c2:
                raise ValueError(f"array formula blocks overlap at {block}")
        boxes.append(box)
        master = f"{column_letters(c1)}{r1}"
        columns = {column_letters(c) for c in range(c1, c2 + 1)}
        for ref in formulas:  # by the letters first: a large edit has many formulas
            letters = ref.rstrip(_DIGITS)
            if letters in columns and r1 <= int(ref[len(letters) :]) <= r2:
                raise ValueError(f"{ref} holds a formula inside the array block {block}")
        formulas[master] = _ArrayFormula(formula, _range_text(*box).decode())
    values: dict[str, object] = dict(edit.values)
    for ref, value in edit.values.items():
        if type(value) is str:
            r, c = split_ref(ref)
            if any(b[0] <= r <= b[2] and b[1] <= c <= b[3] for b in boxes):
                values[ref] = _ArrayText(value)
    return values, formulas, boxes


# ---------------------------------------------------------------------------------------------
# sheet XML streaming

_ATTR_RE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ROW_NUM_RE = re.compile(rb"\sr\s*=\s*[\"'](\d+)[\"']")
_CELL_REF_RE = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{1,3})(\d+)[\"']")
_ROOT_RE = re.compile(rb"<(?:([\w.-]+):)?worksheet\b")


class _Tags:
    """Byte patterns for one sheet's namespace prefix (usually none)."""

    def __init__(self, prefix: bytes) -> None:
        p = prefix + b":" if prefix else b""
        self.p = p
        self.row_open = b"<" + p + b"row"
        self.row_close = b"</" + p + b"row>"
        self.cell_re = re.compile(
            rb"<" + re.escape(p) + rb"c(\s[^>]*?)?(?:/>|>(.*?)</" + re.escape(p) + rb"c>)", re.S
        )
        self.f_re = re.compile(
            rb"<" + re.escape(p) + rb"f\b([^>]*?)(?:/>|>.*?</" + re.escape(p) + rb"f>)", re.S
        )
        self.ext_re = re.compile(
            rb"<" + re.escape(p) + rb"extLst\b.*?</" + re.escape(p) + rb"extLst>", re.S
        )
        self.sheetdata_re = re.compile(rb"<" + re.escape(p) + rb"sheetData\b[^>]*?(/?)>")
        self.sheetdata_close = b"</" + p + b"sheetData>"
        self.dimension_re = re.compile(
            rb"(<" + re.escape(p) + rb"dimension\b[^>]*?\sref\s*=\s*[\"'])([^\"']*)([\"'])"
        )
        self.shared_f_re = re.compile(rb"<" + re.escape(p) + rb"f\b[^>]*>")


@dataclass
class _Row:
    start: int
    end: int
    number: int
    tag: bytes  # the opening tag, "<row ...>" or "<row .../>"
    content: bytes
    has_ref: bool


def _iter_rows(body: bytes, tags: _Tags, start: int = 0, stop: int | None = None) -> Iterator[_Row]:
    """The ``<row>`` elements of ``body[start:stop]``, at their offsets in ``body`` (the
    sheet's whole XML can be searched in place: no copy of its ``<sheetData>``)."""
    pos, prev = start, 0
    stop = len(body) if stop is None else stop
    open_len = len(tags.row_open)
    while True:
        i = body.find(tags.row_open, pos, stop)
        if i < 0:
            return
        if body[i + open_len : i + open_len + 1] not in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
            pos = i + open_len
            continue
        j = body.index(b">", i)
        tag = body[i : j + 1]
        if body[j - 1 : j] == b"/":
            end, content = j + 1, b""
        else:
            k = body.index(tags.row_close, j)
            end, content = k + len(tags.row_close), body[j + 1 : k]
        m = _ROW_NUM_RE.search(tag)
        number = int(m.group(1)) if m else prev + 1
        prev, pos = number, end
        yield _Row(i, end, number, tag, content, m is not None)


def _attrs(raw: bytes | None) -> dict[bytes, bytes]:
    if not raw:
        return {}
    out: dict[bytes, bytes] = {}
    for m in _ATTR_RE.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3).replace(b'"', b"&quot;")
        out[m.group(1)] = value
    return out


def _tag(name: bytes, attrs: dict[bytes, bytes], close: bytes) -> bytes:
    return b"<" + name + b"".join(b" " + k + b'="' + v + b'"' for k, v in attrs.items()) + close


@dataclass
class _ExistingCell:
    col: int
    raw: bytes
    attrs_raw: bytes | None
    content: bytes | None
    has_ref: bool


def _parse_cells(row: _Row, tags: _Tags) -> tuple[list[_ExistingCell], bytes]:
    """The row's cells in order, and whatever non-cell content (extLst) it holds."""
    cells: list[_ExistingCell] = []
    col, last, rest = 0, 0, []
    for m in tags.cell_re.finditer(row.content):
        rest.append(row.content[last : m.start()])
        last = m.end()
        attrs_raw = m.group(1)
        ref = _CELL_REF_RE.search(attrs_raw) if attrs_raw else None
        col = column_index(ref.group(1).decode()) if ref else col + 1
        cells.append(_ExistingCell(col, m.group(0), attrs_raw, m.group(2), ref is not None))
    rest.append(row.content[last:])
    return cells, b"".join(rest).strip()


def _render_cell(
    tags: _Tags, ref: bytes, old: _ExistingCell | None, plan: _CellPlan, style: int | None
) -> bytes:
    attrs = _attrs(old.attrs_raw) if old else {}
    attrs = {b"r": ref, **{k: v for k, v in attrs.items() if k != b"r"}}
    f_xml: bytes | None = None
    extra = b""
    if old is not None and old.content:
        fm = tags.f_re.search(old.content)
        if fm:
            f_xml = fm.group(0)
        em = tags.ext_re.search(old.content)
        if em:
            extra = em.group(0)
    if plan.drop_formula:
        f_xml = None
    if plan.formula is not None:
        if f_xml is not None:
            fa = _attrs(tags.f_re.search(f_xml).group(1))  # type: ignore[union-attr]
            if fa.get(b"t") == b"shared" and b"ref" in fa:
                raise WorkbookError(
                    messages.t("patch.shared_master", cell=ref.decode(), range=fa[b"ref"].decode())
                )
        p = tags.p
        f_open = b"<" + p + b"f>"
        if plan.array_ref is not None:
            f_open = b"<" + p + b'f t="array" ref="' + plan.array_ref.encode() + b'">'
        f_xml = f_open + plan.formula.encode("utf-8") + b"</" + p + b"f>"
    if style is not None:
        attrs[b"s"] = str(style).encode()
    if plan.has_value or plan.formula is not None or plan.drop_formula:
        t, children = _encode(plan.value, f_xml is not None)
        attrs.pop(b"t", None)
        attrs.pop(b"vm", None)
        if t is not None:
            attrs[b"t"] = t
        if tags.p:
            children = children.replace(b"<", b"<" + tags.p).replace(
                b"<" + tags.p + b"/", b"</" + tags.p
            )
    else:  # only the style changes: keep the value as it is
        children = b""
        if old is not None and old.content:
            children = old.content
            f_xml, extra = None, b""
    body = (f_xml or b"") + children + extra
    name = tags.p + b"c"
    if not body:
        return _tag(name, attrs, b"/>")
    return _tag(name, attrs, b">") + body + b"</" + name + b">"


def _with_ref(cell: _ExistingCell, ref: bytes, tags: _Tags) -> bytes:
    if cell.has_ref:
        return cell.raw
    start = len(tags.p) + 2  # after "<c"
    return cell.raw[:start] + b' r="' + ref + b'"' + cell.raw[start:]


@dataclass
class _StyleRow:
    cols: dict[int, bytes] = field(default_factory=dict)
    row_attrs: dict[bytes, bytes] = field(default_factory=dict)


_NEW_ROW_ATTRS = (b"s", b"customFormat", b"ht", b"customHeight")
# Rows without a source row (all rows from clear_rows_from on, rows past the old end, rows in
# gaps) are written by _NewCells in one pass; False sends them through the general _patch_row
# (the reference the tests compare the fast path with, byte for byte).
_FAST_NEW_ROWS = True


class _NewCells:
    """Writes cells that have no source cell, straight from the plan, as text.

    The output is byte for byte what :func:`_patch_row` / :func:`_render_cell` give for a cell
    or row without a source (attributes ``r``, ``s``, ``t`` in that order; ``<f>`` then the
    value), without parsing or attribute dicts: per column the ``<c r="AB`` prefix and the
    default style are computed once.
    """

    def __init__(self, tags: _Tags, style_row: _StyleRow, plan: _SheetPlan) -> None:
        p = tags.p.decode()
        self.p = p
        self.plan = style_row, plan
        attrs = "".join(
            f' {k.decode()}="{v.decode()}"'
            for k, v in style_row.row_attrs.items()
            if k in _NEW_ROW_ATTRS
        )
        self.row_open = f'<{p}row r="'
        self.row_rest = f'"{attrs}>'
        self.row_close = f"</{p}row>"
        self.c_close = f"</{p}c>"
        self.f_open, self.f_close = f"<{p}f>", f"</{p}f>"
        self.v_open, self.v_close = f"<{p}v>", f"</{p}v>"
        self.columns: dict[int, tuple[str, str]] = {}

    def column(self, col: int) -> tuple[str, str]:
        """(``<c r="AB``, default ``s`` attribute) of a column."""
        style = self.plan[0].cols.get(col)
        s = f' s="{int(style)}"' if style is not None else ""
        found = self.columns[col] = (f'<{self.p}c r="{column_letters(col)}', s)
        return found

    def encode(self, value: CellValue, is_formula: bool) -> tuple[str, str]:
        """(`` t="…"`` or "", children after ``<f>``), as :func:`_encode` with the prefix."""
        if value is None:
            return "", ""
        p = self.p
        if isinstance(value, bool):
            return ' t="b"', f"<{p}v>{'1' if value else '0'}</{p}v>"
        if isinstance(value, Decimal | int | float):
            return "", f"<{p}v>{number_text(value)}</{p}v>"
        if isinstance(value, ExcelError):
            return ' t="e"', f"<{p}v>{value.code}</{p}v>"
        if isinstance(value, str):
            if is_formula or type(value) is _ArrayText:
                return ' t="str"', f"<{p}v>{_xml_str(value)}</{p}v>"
            space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
            return ' t="inlineStr"', f"<{p}is><{p}t{space}>{_xml_str(value)}</{p}t></{p}is>"
        raise TypeError(f"cannot write a {type(value).__name__} into a cell: {value!r}")

    def value_cell(self, col: int, rs: str, value: CellValue) -> str:
        """A new cell holding a plain value (no formula, default style)."""
        c_open, s = self.columns.get(col) or self.column(col)
        t, children = self.encode(value, False)
        if not children:
            return f'{c_open}{rs}"{s}{t}/>'
        return f'{c_open}{rs}"{s}{t}>{children}{self.c_close}'

    def rows(self, numbers: list[int]) -> bytes:
        """The ``<row>`` elements of ``numbers`` (ascending, none of them in the source)."""
        plan = self.plan[1]
        values, formulas, styles = plan.values, plan.formulas, plan.styles
        columns, column, encode = self.columns, self.column, self.encode
        row_open, row_rest, row_close = self.row_open, self.row_rest, self.row_close
        c_close, f_open, f_close = self.c_close, self.f_open, self.f_close
        v_open, v_close = self.v_open, self.v_close
        chunks: list[bytes] = []
        out: list[str] = []
        append = out.append
        for r in numbers:
            rs = str(r)
            vrow = values.get(r, _EMPTY)
            frow: dict[int, str] = formulas.get(r, _EMPTY)  # type: ignore[arg-type]
            srow: dict[int, int] = styles.get(r, _EMPTY)  # type: ignore[arg-type]
            if frow or srow:
                cols = sorted(vrow.keys() | frow.keys() | srow.keys())
            else:
                cols = sorted(vrow)
            append(row_open + rs + row_rest)
            for c in cols:
                c_open, s = columns.get(c) or column(c)
                if srow:
                    style = srow.get(c)
                    if style is not None:
                        s = f' s="{style}"'
                f = frow.get(c) if frow else None
                f_open = self.f_open
                if type(f) is _InArray:  # a new cell: there is no formula of its own to drop
                    f = None
                if f is not None:  # as _formula_xml(f), inline: once per cell of a large edit
                    if type(f) is _ArrayFormula:
                        f_open = _f_open(f, self.p)
                    if f[:1] == "=":
                        f = f[1:]
                    if (
                        "&" in f
                        or "<" in f
                        or ">" in f
                        or "_x" in f
                        or "\r" in f
                        or not f.isprintable()
                    ):
                        f = _xml_str(f)
                value = vrow.get(c, _EMPTY)
                kind = type(value)
                if kind is Decimal or kind is int:  # the hot cases: numbers, text of formulas
                    text = str(value)
                    if kind is Decimal:
                        if "E" in text or not text[-1].isdigit():
                            text = number_text(value)  # type: ignore[arg-type]
                        elif "." in text:
                            text = text.rstrip("0").rstrip(".")
                            if text == "-0":
                                text = "0"
                        elif text == "-0":
                            text = "0"
                    if f is None:
                        append(f'{c_open}{rs}"{s}>{v_open}{text}{v_close}{c_close}')
                    else:
                        append(
                            f'{c_open}{rs}"{s}>{f_open}{f}{f_close}{v_open}{text}{v_close}{c_close}'
                        )
                    continue
                if (kind is str and f is not None) or kind is _ArrayText:
                    text = value  # type: ignore[assignment]
                    if (
                        "&" in text
                        or "<" in text
                        or ">" in text
                        or "_x" in text
                        or "\r" in text
                        or not text.isprintable()
                    ):
                        text = _xml_str(text)
                    if f is None:  # a cell of an array block: its text a formula result
                        append(f'{c_open}{rs}"{s} t="str">{v_open}{text}{v_close}{c_close}')
                    else:
                        append(
                            f'{c_open}{rs}"{s} t="str">{f_open}{f}{f_close}'
                            f"{v_open}{text}{v_close}{c_close}"
                        )
                    continue
                if value is _EMPTY:  # a formula and/or a style only
                    t, children = "", ""
                else:
                    t, children = encode(value, f is not None)  # type: ignore[arg-type]
                if f is not None:
                    append(f'{c_open}{rs}"{s}{t}>{f_open}{f}{f_close}{children}{c_close}')
                elif children:
                    append(f'{c_open}{rs}"{s}{t}>{children}{c_close}')
                else:
                    append(f'{c_open}{rs}"{s}{t}/>')
            append(row_close)
            if len(out) > 1024:  # encode as we go: short-lived text, small joins
                chunks.append("".join(out).encode("utf-8"))
                out.clear()
        chunks.append("".join(out).encode("utf-8"))
        return b"".join(chunks)


_T_VM_RE = re.compile(rb"\s(?:t|vm)=\"[^\"]*\"")
_CELL_START_RE = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_SPANS_RE = re.compile(rb"(\sspans\s*=\s*[\"'])[^\"']*")


_NEEDLES: dict[int, bytes] = {}


_COLUMN_NUMBERS_B = _ColumnBytes()


class _LettersBytes(dict[int, bytes]):
    """Column number -> its letters as bytes, filled as columns are met."""

    def __missing__(self, col: int) -> bytes:
        letters = self[col] = column_letters(col).encode()
        return letters


_LETTERS_B = _LettersBytes()


def _cell_columns(content: bytes) -> list[int] | None:
    """Columns of a row's cells, if every cell starts ``<c r="`` and they ascend; else None."""
    found = _CELL_START_RE.findall(content)
    if len(found) != content.count(b"<c"):  # a cell without leading r=, or rich-text <color>
        return None
    cols = [_COLUMN_NUMBERS_B[letters] for letters in found]
    if sorted(set(cols)) != cols:  # ascending, no column twice
        return None
    return cols


def _patch_row_fast(
    row: _Row, rnum: bytes, edits: _RowEdits, new: _NewCells | None = None
) -> bytes | None:
    """The edits of a row whose cells are in place (:func:`_patch_row_split`), else cells
    found by ``bytes.find`` and missing ones inserted (:func:`_patch_row_find`); None when
    neither applies. The same bytes as the general path of :func:`_patch_row`."""
    patched = _patch_row_split(row, rnum, edits)
    if patched is None:
        patched = _patch_row_find(row, rnum, edits, new)
    return patched


# A cell's attributes after ``r`` -> the same without ``t`` and ``vm`` (the new value sets its
# own type). Memoised: a sheet has few distinct attribute strings, and a bytes ``in`` test is
# slow in CPython 3.11 (it first tries the needle as an integer, raising and clearing an error).
_ATTRS_WITHOUT_TYPE: dict[bytes, bytes] = {}


def _without_type(attrs: bytes) -> bytes:
    cleaned = _T_VM_RE.sub(b"", attrs)
    if len(_ATTRS_WITHOUT_TYPE) > 4096:
        _ATTRS_WITHOUT_TYPE.clear()
    _ATTRS_WITHOUT_TYPE[attrs] = cleaned
    return cleaned


def _decimal_text(value: Decimal) -> bytes:
    """:func:`number_text` of a Decimal as bytes, the plain-notation case done on ``str``
    (``in`` on str is fast; see :data:`_ATTRS_WITHOUT_TYPE`)."""
    text = str(value)
    if not text[-1].isdigit() or "E" in text:
        return number_text(value).encode()
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return b"0" if text == "-0" else text.encode()


class _Unchanged(bytes):
    """A row's own bytes, returned when its edits would write exactly what it holds: the
    sheet's bytes are then copied on past it (:func:`_patch_sheet_pieces`)."""


def _patch_row_split(row: _Row, rnum: bytes, edits: _RowEdits) -> bytes | None:
    """Set plain values of cells that all exist, ``r`` first, in ascending columns; else None.

    The hot path of a repeat `xlkpi recalc` (cached results of the Payroll's formula cells).
    The row is split at each ``<c r="`` and each edited cell is rebuilt from ``partition``
    and slices: in CPython 3.11 ``bytes.find`` with a start position parses its arguments
    the slow way (a few thousand instructions a call), while ``split``, ``partition``,
    slicing and ``in`` do not. A cell whose new bytes equal its old ones is left as it is; a
    row none of whose cells change comes back as :class:`_Unchanged` (its own bytes).
    """
    content = row.content
    if b"<extLst" in content:
        return None
    wanted: dict[bytes, tuple[int, object]] = {}
    for col, value in edits.items():
        if type(value) is _CellPlan or col > _TWO_LETTERS:
            return None
        wanted[_LETTERS_B[col] + rnum] = (col, value)
    pieces = content.split(b'<c r="')
    get = wanted.get
    hits = last = 0
    changed = False
    for k in range(1, len(pieces)):
        piece = pieces[k]
        ref, quote, rest = piece.partition(b'"')
        found = get(ref)
        if found is None:
            continue
        col, value = found
        if col <= last or not quote:
            return None
        hits += 1
        last = col
        attrs, gt, body = rest.partition(b">")
        if not gt:
            return None
        inner: bytes | None = None
        if attrs[-1:] == b"/":  # <c …/>: an empty cell
            attrs, f_xml, after = attrs[:-1], b"", body
        else:
            inner, close, after = body.partition(b"</c>")
            if not close:
                return None
            f_xml = b""
            if inner[:2] == b"<f":
                ftag = inner.partition(b">")[0]
                if ftag[-1:] == b"/":
                    f_xml = ftag + b">"
                else:
                    ftext, fclose, _ = inner.partition(b"</f>")
                    if not fclose:
                        return None
                    f_xml = ftext + fclose
        cleaned = _ATTRS_WITHOUT_TYPE.get(attrs)
        if cleaned is None:
            cleaned = _without_type(attrs)
        kind = type(value)  # the children _encode gives, the common kinds done here
        if kind is Decimal:
            t, children = None, b"<v>" + _decimal_text(value) + b"</v>"  # type: ignore[arg-type]
        elif kind is _ArrayText or (kind is str and f_xml):
            t, children = b"str", b"<v>" + _xml_text(value) + b"</v>" if value else b"<v></v>"  # type: ignore[arg-type]
        elif kind is int:
            t, children = None, b"<v>%d</v>" % value  # type: ignore[str-bytes-safe]
        else:
            t, children = _encode(value, bool(f_xml))  # type: ignore[arg-type]
        if t is not None:
            cleaned += b' t="' + t + b'"'
        if cleaned == attrs and inner is not None and inner == f_xml + children:
            continue  # the cell holds these bytes already: the piece stays as it is
        changed = True
        if f_xml or children:
            pieces[k] = b'%s"%s>%s%s</c>%s' % (ref, cleaned, f_xml, children, after)
        else:  # value cleared: an empty cell, written as the general path does
            pieces[k] = b'%s"%s/>%s' % (ref, cleaned, after)
    if hits != len(edits):
        return None
    if not changed:
        return _Unchanged(row.tag + content + b"</row>")
    return row.tag + b'<c r="'.join(pieces) + b"</row>"


def _patch_row_find(
    row: _Row, rnum: bytes, edits: _RowEdits, new: _NewCells | None = None
) -> bytes | None:
    """Set plain values of cells that exist with ``r`` as first attribute; None if not that case.

    This is the hot path of `xlkpi recalc` (cached results of existing formula cells), so it
    works with bytes.find and slicing only. With ``new``, cells missing from the row are
    inserted in column order (the row's ``spans`` widened), as the general path would.
    """
    content = row.content
    if b"<extLst" in content:
        return None
    find = content.find
    out: list[bytes] = []
    append = out.append
    pos = 0
    end_ref = rnum + b'"'
    existing: list[int] | None = None
    added: list[int] = []
    for col in sorted(edits):
        value = edits[col]
        if isinstance(value, _CellPlan):
            return None
        needle = _NEEDLES.get(col)
        if needle is None:
            needle = _NEEDLES[col] = b'<c r="' + column_letters(col).encode()
        i = find(needle + end_ref, pos)
        if i < 0:
            if new is None:
                return None
            if existing is None:
                existing = _cell_columns(content)
                if existing is None:
                    return None
            k = bisect_right(existing, col)
            if k < len(existing):  # before the next cell, which is at or after pos
                at = find(b'<c r="' + column_letters(existing[k]).encode() + end_ref, pos)
                if at < 0:
                    return None
            else:
                at = len(content)
            cell = new.value_cell(col, rnum.decode(), value).encode("utf-8")  # type: ignore[arg-type]
            append(content[pos:at] + cell)
            added.append(col)
            pos = at
            continue
        j = find(b">", i)
        f_xml = b""
        if content[j - 1] == 47:  # "/": <c .../>
            tag, end = content[i : j - 1], j + 1
        else:
            tag, end = content[i:j], find(b"</c>", j) + 4
            if content.startswith(b"<f", j + 1):
                fe = find(b">", j + 1)
                f_xml = content[j + 1 : fe + 1 if content[fe - 1] == 47 else find(b"</f>", fe) + 4]
        if b" t=" in tag or b"vm=" in tag:
            tag = _T_VM_RE.sub(b"", tag)
        if type(value) is Decimal:
            text = str(value).encode()
            if not 48 <= text[-1] <= 57 or b"E" in text:
                text = number_text(value).encode()
            elif b"." in text:
                text = text.rstrip(b"0").rstrip(b".")
                if text == b"-0":
                    text = b"0"
            elif text == b"-0":
                text = b"0"
            append(b"%s%s>%s<v>%s</v></c>" % (content[pos:i], tag, f_xml, text))
        else:
            t, children = _encode(value, bool(f_xml))  # type: ignore[arg-type]
            if t is not None:
                tag += b' t="' + t + b'"'
            if f_xml or children:
                append(b"%s%s>%s%s</c>" % (content[pos:i], tag, f_xml, children))
            else:  # value cleared: an empty cell, written as the general path does
                append(b"%s%s/>" % (content[pos:i], tag))
        pos = end
    append(content[pos:])
    tag = row.tag
    if added and b"spans" in tag:
        m = _SPANS_RE.search(tag)
        if m is None:
            return None
        cols = (existing or []) + added
        tag = tag[: m.end(1)] + b"%d:%d" % (min(cols), max(cols)) + tag[m.end() :]
    return tag + b"".join(out) + b"</row>"


def _patch_row(
    row: _Row | None,
    number: int,
    edits: _RowEdits,
    tags: _Tags,
    style_row: _StyleRow,
    new: _NewCells | None = None,
) -> bytes:
    rnum = str(number).encode()
    if row is not None and not tags.p and row.has_ref and not row.tag.endswith(b"/>"):
        fast = _patch_row_fast(row, rnum, edits, new)
        if fast is not None:
            return fast
    if row is not None:
        cells, rest = _parse_cells(row, tags)
        row_attrs = _attrs(row.tag[len(tags.row_open) : -1].rstrip(b"/"))
    else:
        cells, rest = [], b""
        row_attrs = {k: v for k, v in style_row.row_attrs.items() if k in _NEW_ROW_ATTRS}
    by_col = {c.col: c for c in cells}
    out: list[bytes] = []
    added = False
    for col in sorted(set(by_col) | set(edits)):
        ref = column_letters(col).encode() + rnum
        old = by_col.get(col)
        if col not in edits:
            out.append(_with_ref(old, ref, tags))  # type: ignore[arg-type]
            continue
        edit = edits[col]
        plan = edit if isinstance(edit, _CellPlan) else _CellPlan(True, edit)  # type: ignore[arg-type]
        style = plan.style
        if style is None and old is None and col in style_row.cols:
            style = int(style_row.cols[col])
        added = added or old is None
        out.append(_render_cell(tags, ref, old, plan, style))
    row_attrs = {b"r": rnum, **{k: v for k, v in row_attrs.items() if k != b"r"}}
    if added and b"spans" in row_attrs:
        cols = sorted(set(by_col) | set(edits))
        row_attrs[b"spans"] = f"{cols[0]}:{cols[-1]}".encode()
    name = tags.p + b"row"
    return _tag(name, row_attrs, b">") + b"".join(out) + rest + b"</" + name + b">"


def _style_row(
    body: bytes, tags: _Tags, number: int | None, start: int = 0, stop: int | None = None
) -> _StyleRow:
    found = _StyleRow()
    if number is None:
        return found
    for row in _iter_rows(body, tags, start, stop):
        if row.number > number:
            break
        if row.number == number:
            found.row_attrs = _attrs(row.tag[len(tags.row_open) : -1].rstrip(b"/"))
            for cell in _parse_cells(row, tags)[0]:
                s = _attrs(cell.attrs_raw).get(b"s")
                if s is not None:
                    found.cols[cell.col] = s
            break
    return found


def _parse_range(ref: bytes) -> tuple[int, int, int, int] | None:
    parts = ref.decode().replace("$", "").split(":")
    try:
        (r1, c1), (r2, c2) = split_ref(parts[0]), split_ref(parts[-1])
    except ValueError:
        return None
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _range_text(r1: int, c1: int, r2: int, c2: int) -> bytes:
    a = f"{column_letters(c1)}{r1}"
    b = f"{column_letters(c2)}{r2}"
    return (a if a == b else f"{a}:{b}").encode()


def _clamp_shared_refs(xml: bytes, tags: _Tags, last_row: int) -> bytes:
    """Shrink shared/array formula ranges that reach into rows dropped by ``clear_rows_from``."""

    def fix(m: re.Match[bytes]) -> bytes:
        tag = m.group(0)
        attrs = _attrs(tag[len(tags.p) + 2 : -1].rstrip(b"/"))
        box = _parse_range(attrs.get(b"ref", b""))
        if box is None or box[2] <= last_row:
            return tag
        if attrs.get(b"t") == b"array":
            raise WorkbookError(
                messages.t("patch.array_cut", range=attrs[b"ref"].decode(), row=last_row + 1)
            )
        new = _range_text(box[0], box[1], max(box[0], last_row), box[3])
        return tag.replace(b'"' + attrs[b"ref"] + b'"', b'"' + new + b'"', 1)

    return tags.shared_f_re.sub(fix, xml)


def patch_sheet_xml(xml: bytes, edit: SheetEdit) -> bytes:
    """Apply one SheetEdit to the bytes of a worksheet part; returns the new bytes."""
    return b"".join(_patch_sheet_pieces(xml, edit))


def _patch_sheet_pieces(xml: bytes, edit: SheetEdit) -> list[bytes]:
    """:func:`patch_sheet_xml` as the pieces that make the new part, in order (not joined:
    patch_workbook deflates them one by one, so a large sheet is never copied whole again)."""
    plan = _plan(edit)
    root = _ROOT_RE.search(xml)
    if root is None:
        raise WorkbookError(messages.t("patch.bad_part", what="<worksheet>"))
    tags = _Tags(root.group(1) or b"")
    sd = tags.sheetdata_re.search(xml)
    if sd is None:
        raise WorkbookError(messages.t("patch.bad_part", what="<sheetData>"))
    head = xml[: sd.start()]
    # the body is xml[start:stop], searched in place; its unchanged runs are passed on as
    # views of xml (deflated from there), never copied: a 50,000-staff 工资表 is 120 MB
    view = memoryview(xml)
    if sd.group(1):  # <sheetData/>
        start = stop = sd.end()
        tail = xml[sd.end() :]
    else:
        start = sd.end()
        stop = xml.index(tags.sheetdata_close, start)
        tail = xml[stop + len(tags.sheetdata_close) :]
    style_row = _style_row(xml, tags, plan.style_from_row, start, stop)
    new = _NewCells(tags, style_row, plan)
    fast_new = _FAST_NEW_ROWS

    def new_rows(numbers: list[int]) -> bytes:
        if fast_new:
            return new.rows(numbers)
        return b"".join(
            _patch_row(None, n, plan.row_edits(n), tags, style_row, new) for n in numbers
        )

    cut = plan.clear_rows_from or _MAX_ROW + 1
    pending = plan.row_numbers()
    pi = 0
    out: list[bytes | memoryview] = []
    last = start  # first byte of the body not yet passed on
    last_kept = 0
    for row in _iter_rows(xml, tags, start, stop):
        if row.number >= cut:
            out.append(view[last : row.start])
            last = stop
            break
        if pi < len(pending) and pending[pi] < row.number:
            pj = pi
            while pj < len(pending) and pending[pj] < row.number:
                pj += 1
            out.append(view[last : row.start])
            last = row.start
            out.append(new_rows(pending[pi:pj]))
            pi = pj
        last_kept = row.number
        edited = pi < len(pending) and pending[pi] == row.number
        if edited or (not row.has_ref and last == row.start):
            # an edited row, or a row numbered implicitly right after a row we inserted
            patched = _patch_row(
                row,
                row.number,
                plan.row_edits(row.number) if edited else {},
                tags,
                style_row,
                new,
            )
            pi += 1 if edited else 0
            if type(patched) is _Unchanged:  # the same bytes: copied on with the rows around
                continue
            out.append(view[last : row.start])
            out.append(patched)
            last = row.end
    out.append(view[last:stop])
    if plan.clear_rows_from is not None:
        # rows written from the plan hold plain <f> only: no shared range to shrink there
        out = [_clamp_shared_refs(b"".join(out), tags, plan.clear_rows_from - 1)]
    out.append(new_rows(pending[pi:]))
    head = _update_dimension(head, tags, plan, last_kept)
    if edit.columns is not None:
        head = _replace_columns(head, tags, edit.columns)
    name = tags.p + b"sheetData"
    return [head, b"<" + name + b">", *out, b"</" + name + b">", tail]


def _replace_columns(head: bytes, tags: _Tags, columns: dict[int, tuple[float, bool]]) -> bytes:
    """``head`` with its ``<cols>`` (widths, hidden columns) replaced by ``columns``."""
    p = tags.p.decode()
    cols = "".join(
        f'<{p}col min="{c}" max="{c}" width="{width:g}" customWidth="1"'
        + (' hidden="1"' if hidden else "")
        + "/>"
        for c, (width, hidden) in sorted(columns.items())
    )
    block = f"<{p}cols>{cols}</{p}cols>".encode() if cols else b""
    found = re.search(
        rb"<" + re.escape(tags.p) + rb"cols\b[^>]*?(?:/>|>.*?</" + re.escape(tags.p) + rb"cols>)",
        head,
        re.S,
    )
    if found is not None:
        return head[: found.start()] + block + head[found.end() :]
    return head + block  # <cols> comes right before <sheetData>


def _update_dimension(head: bytes, tags: _Tags, plan: _SheetPlan, last_kept: int) -> bytes:
    m = tags.dimension_re.search(head)
    if m is None:
        return head
    box = _parse_range(m.group(2))
    boxes = []
    if box is not None:
        r1, c1, r2, c2 = box
        if plan.clear_rows_from is not None:
            r2 = min(r2, last_kept)
        if r2 >= r1:
            boxes.append((r1, c1, r2, c2))
    for rows in (plan.values, plan.formulas, plan.styles):
        if rows:
            cols = rows.values()
            boxes.append((min(rows), min(map(min, cols)), max(rows), max(map(max, cols))))
    if not boxes:
        new = b"A1"
    else:
        new = _range_text(
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    return head[: m.start(2)] + new + head[m.end(2) :]


# ---------------------------------------------------------------------------------------------
# package structure


_REL_RE = re.compile(rb"<Relationship\b[^>]*?/>", re.S)


def _rels(data: bytes) -> list[dict[bytes, bytes]]:
    return [_attrs(m.group(0)) for m in _REL_RE.finditer(data)]


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, target))


def _rels_path(part: str) -> str:
    d, name = posixpath.split(part)
    return posixpath.join(d, "_rels", name + ".rels")


@dataclass
class WorkbookParts:
    """Where things are in the package: workbook part, its rels, sheet parts by name, calcChain."""

    workbook: str
    workbook_rels: str
    sheets: dict[str, str]
    calc_chain: str | None


def workbook_parts(zf: ZipFile) -> WorkbookParts:
    """Resolve sheet names to worksheet parts through workbook.xml and its relationships."""
    names = set(zf.namelist())
    try:
        root_rels = _rels(zf.read("_rels/.rels"))
        workbook = next(
            _resolve("", r[b"Target"].decode())
            for r in root_rels
            if r.get(b"Type", b"").endswith(b"/officeDocument")
        )
        wb_rels_path = _rels_path(workbook)
        wb_rels = _rels(zf.read(wb_rels_path))
        wb_root = ET.fromstring(zf.read(workbook))
    except (KeyError, StopIteration, ET.ParseError) as exc:
        raise WorkbookError(messages.t("patch.not_package", reason=exc)) from exc
    base = posixpath.dirname(workbook)
    targets = {r[b"Id"].decode(): r for r in wb_rels if b"Id" in r}
    sheets: dict[str, str] = {}
    for el in wb_root.iter():
        if not el.tag.endswith("}sheet"):
            continue
        rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
        rel = targets.get(rid or "")
        if rel is not None and rel.get(b"Type", b"").endswith(b"/worksheet"):
            sheets[el.attrib["name"]] = _resolve(base, rel[b"Target"].decode())
    calc = next(
        (
            _resolve(base, r[b"Target"].decode())
            for r in wb_rels
            if r.get(b"Type", b"").endswith(b"/calcChain")
        ),
        None,
    )
    if calc is not None and calc not in names:
        calc = None
    return WorkbookParts(workbook, wb_rels_path, sheets, calc)


def _current(zf: ZipFile, changed: dict[str, bytes] | None, part: str) -> bytes:
    """A package part's bytes: as already changed by this patch, else as in the source."""
    return changed[part] if changed and part in changed else zf.read(part)


def _drop_calc_chain(
    zf: ZipFile, parts: WorkbookParts, changed: dict[str, bytes] | None = None
) -> dict[str, bytes]:
    """New bytes of [Content_Types].xml and the workbook rels without the calcChain part
    (from their ``changed`` bytes where given)."""
    assert parts.calc_chain is not None
    rels = _current(zf, changed, parts.workbook_rels)
    rels = re.sub(rb"<Relationship\b[^>]*?/calcChain[\"'][^>]*?/>", b"", rels)
    types = _current(zf, changed, "[Content_Types].xml")
    part = re.escape(("/" + parts.calc_chain).encode())
    types = re.sub(
        rb"<Override\b[^>]*?PartName=[\"']" + part + rb"[\"'][^>]*?/>", b"", types, flags=re.I
    )
    return {parts.workbook_rels: rels, "[Content_Types].xml": types}


# ---------------------------------------------------------------------------------------------
# zip writing with raw copies


@dataclass
class _Packed:
    """A member's deflated bytes (in chunks), CRC-32 and sizes."""

    chunks: list[bytes]
    crc: int
    size: int
    raw_size: int

    @classmethod
    def of(cls, pieces: Iterable[bytes], level: int = COMPRESS_LEVEL) -> _Packed:
        """Deflate ``pieces`` as one stream, piece by piece."""
        z = zlib.compressobj(level, zlib.DEFLATED, -15)
        chunks: list[bytes] = []
        crc = raw = 0
        for piece in pieces:
            crc = zlib.crc32(piece, crc)
            raw += len(piece)
            chunks.append(z.compress(piece))
        chunks.append(z.flush())
        return cls(chunks, crc, sum(map(len, chunks)), raw)


class _ZipWriter:
    """A minimal zip writer that can copy members from another zip without recompressing."""

    def __init__(self, fp: BinaryIO) -> None:
        self.fp = fp
        self.central: list[bytes] = []

    @staticmethod
    def _dos_time(info: ZipInfo) -> tuple[int, int]:
        y, mo, d, h, mi, s = info.date_time
        return (h << 11) | (mi << 5) | (s // 2), (max(y, 1980) - 1980) << 9 | (mo << 5) | d

    def _entry(
        self, info: ZipInfo, flags: int, method: int, crc: int, csize: int, usize: int
    ) -> None:
        name = info.filename.encode("utf-8")
        if not name.isascii():
            flags |= 0x800
        offset = self.fp.tell()
        if max(offset, csize, usize) >= 0xFFFFFFFF or len(self.central) >= 0xFFFF:
            raise WorkbookError(messages.t("patch.zip64"))
        t, d = self._dos_time(info)
        self.fp.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, flags, method, t, d, crc, csize, usize, len(name), 0
            )
            + name
        )
        self.central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                (info.create_system << 8) | 20,
                20,
                flags,
                method,
                t,
                d,
                crc,
                csize,
                usize,
                len(name),
                0,
                0,
                0,
                info.internal_attr,
                info.external_attr,
                offset,
            )
            + name
        )

    def copy_raw(self, src: BinaryIO, info: ZipInfo) -> None:
        src.seek(info.header_offset)
        header = src.read(30)
        if header[:4] != b"PK\x03\x04":
            raise WorkbookError(messages.t("patch.bad_member", part=info.filename))
        n, e = struct.unpack("<HH", header[26:30])
        src.seek(info.header_offset + 30 + n + e)
        self._entry(
            info,
            info.flag_bits & 0x806,
            info.compress_type,
            info.CRC,
            info.compress_size,
            info.file_size,
        )
        remaining = info.compress_size
        while remaining:
            chunk = src.read(min(remaining, 1 << 20))
            if not chunk:
                raise WorkbookError(messages.t("patch.bad_member", part=info.filename))
            self.fp.write(chunk)
            remaining -= len(chunk)

    def write(self, info: ZipInfo, data: bytes, level: int = COMPRESS_LEVEL) -> None:
        self.write_packed(info, _Packed.of([data], level))

    def write_packed(self, info: ZipInfo, packed: _Packed) -> None:
        self._entry(info, 0, 8, packed.crc, packed.size, packed.raw_size)
        for chunk in packed.chunks:
            self.fp.write(chunk)

    def close(self) -> None:
        start = self.fp.tell()
        for record in self.central:
            self.fp.write(record)
        size = self.fp.tell() - start
        n = len(self.central)
        self.fp.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, size, start, 0))


# ---------------------------------------------------------------------------------------------
# public API


def patch_workbook(src: Path, dst: Path, edits: dict[str, SheetEdit]) -> None:
    """Write a copy of ``src`` to ``dst`` with ``edits`` (sheet name -> SheetEdit) applied.

    ``dst`` must differ from ``src`` (use xlkpi.workbook.atomic_file.atomic_replace to patch
    in place). Unchanged members are copied byte for byte; calcChain is dropped and calcPr set
    (see the module docstring).
    """
    src, dst = Path(src), Path(dst)
    if src.resolve() == dst.resolve():
        raise ValueError("patch_workbook writes a new file; dst must differ from src")
    try:
        zf = ZipFile(src)
    except BadZipFile as exc:
        raise WorkbookError(messages.t("patch.not_xlsx", path=src, reason=exc)) from exc
    with zf, open(src, "rb") as raw, open(dst, "wb") as out:
        parts = workbook_parts(zf)
        replaced: dict[str, _Packed] = {}  # deflated at once: a sheet's XML is held only briefly
        changed, added = _added_sheets(zf, parts, edits, src.name)
        if any(edit.formats or edit.column_formats for edit in edits.values()):
            edits = _resolve_formats(zf, parts, edits, replaced)
        for sheet, edit in edits.items():
            part = parts.sheets[sheet]
            xml = changed.pop(part) if part in added else zf.read(part)
            replaced[part] = _Packed.of(_patch_sheet_pieces(xml, edit))
        if parts.calc_chain is not None:
            for name, data in _drop_calc_chain(zf, parts, changed).items():
                changed[name] = data
        workbook_xml = changed.pop(parts.workbook, None) or zf.read(parts.workbook)
        fixed = fix_workbook_xml(workbook_xml)
        if fixed != workbook_xml or parts.workbook in added.values():
            replaced[parts.workbook] = _Packed.of([fixed])
        for name, data in changed.items():
            replaced[name] = _Packed.of([data])
        writer = _ZipWriter(out)
        for info in zf.infolist():
            if info.filename == parts.calc_chain:
                continue
            if info.filename in replaced:
                writer.write_packed(info, replaced.pop(info.filename))
            else:
                writer.copy_raw(raw, info)
        for part in added:  # the new worksheets, after every member of the source
            info = ZipInfo(part, date_time=zf.infolist()[0].date_time)
            info.external_attr = 0o600 << 16
            writer.write_packed(info, replaced.pop(part))
        writer.close()


def _added_sheets(
    zf: ZipFile, parts: WorkbookParts, edits: dict[str, SheetEdit], name: str
) -> tuple[dict[str, bytes], dict[str, str]]:
    """Add to ``parts.sheets`` every edited sheet the book lacks and may create
    (``SheetEdit.create_as``); returns the package parts' new bytes and {new part: the
    workbook part}. A missing sheet that may not be created is an error naming the sheets."""
    from xlkpi.workbook.new_sheets import add_sheet

    changed: dict[str, bytes] = {}
    added: dict[str, str] = {}
    members = set(zf.namelist())
    for sheet, edit in edits.items():
        if sheet in parts.sheets:
            continue
        if edit.create_as is None:
            known = "、".join(parts.sheets)
            raise WorkbookError(messages.t("patch.no_sheet", name=name, sheet=sheet, known=known))
        new = add_sheet(
            sheet,
            edit.create_as,
            parts.workbook,
            _current(zf, changed, parts.workbook),
            parts.workbook_rels,
            _current(zf, changed, parts.workbook_rels),
            _current(zf, changed, "[Content_Types].xml"),
            members | set(added),
        )
        changed.update(new.changed)
        added[new.part] = parts.workbook
        parts.sheets[sheet] = new.part
    return changed, added


def _resolve_formats(
    zf: ZipFile, parts: WorkbookParts, edits: dict[str, SheetEdit], replaced: dict[str, _Packed]
) -> dict[str, SheetEdit]:
    """The edits with their ``formats`` as ``styles`` (styles.xml gains what it lacks)."""
    from dataclasses import replace

    from xlkpi.cell_formats import ensure_formats

    rels = _rels(zf.read(parts.workbook_rels))
    base = posixpath.dirname(parts.workbook)
    part = next(
        (
            _resolve(base, r[b"Target"].decode())
            for r in rels
            if r.get(b"Type", b"").endswith(b"/styles")
        ),
        None,
    )
    if part is None:
        raise WorkbookError(messages.t("patch.no_styles"))
    codes = [
        code
        for edit in edits.values()
        for code in chain(edit.formats.values(), edit.column_formats.values())
    ]
    data, index = ensure_formats(zf.read(part), codes)
    replaced[part] = _Packed.of([data])
    out = {}
    for name, edit in edits.items():
        if edit.formats:
            styles = {cell: index[code] for cell, code in edit.formats.items()}
            edit = replace(edit, styles={**styles, **edit.styles}, formats={})
        if edit.column_formats:
            columns = {col: index[code] for col, code in edit.column_formats.items()}
            edit = replace(edit, column_styles={**columns, **edit.column_styles}, column_formats={})
        out[name] = edit
    return out


def read_sheet(path: Path, sheet_name: str) -> list[list[object]]:
    """All values of a sheet via python-calamine; ``rows[r-1][c-1]`` is the cell at (r, c).

    Numbers come back as float, text as str, booleans as bool, blanks as "". python-calamine
    also returns "" for error cells (#VALUE! ...): check errors with openpyxl ``data_only``.
    Cached values of formula cells are what is read (calamine never recalculates).
    """
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    try:
        sheet = wb.get_sheet_by_name(sheet_name)
        return sheet.to_python(skip_empty_area=False)  # type: ignore[return-value]
    finally:
        wb.close()


def read_formulas(path: Path, sheet_name: str) -> dict[str, str]:
    """Formulas of a sheet as ``{"H12": "=F12*G12"}``, shared formulas expanded per cell.

    Streams the worksheet XML; meant for checks and tests, not for the hot path.
    """
    from openpyxl.formula.translate import Translator  # type: ignore[import-untyped]

    with ZipFile(path) as zf:
        part = workbook_parts(zf).sheets.get(sheet_name)
        if part is None:
            raise WorkbookError(
                messages.t("patch.no_sheet", name=Path(path).name, sheet=sheet_name, known="—")
            )
        formulas: dict[str, str] = {}
        masters: dict[str, tuple[str, str]] = {}
        row_no, col_no = 0, 0
        with zf.open(part) as stream:
            for event, el in ET.iterparse(stream, events=("start", "end")):
                tag = el.tag.rsplit("}", 1)[-1]
                if event == "start":
                    if tag == "row":
                        row_no = int(el.get("r") or row_no + 1)
                        col_no = 0
                    continue
                if tag == "c":
                    ref = el.get("r")
                    if ref is None:
                        ref = f"{column_letters(col_no + 1)}{row_no}"
                    col_no = split_ref(ref)[1]
                    f = next((ch for ch in el if ch.tag.rsplit("}", 1)[-1] == "f"), None)
                    if f is not None:
                        text = f.text or ""
                        if f.get("t") == "shared":
                            si = f.get("si", "")
                            if text:
                                masters[si] = (ref, text)
                            elif si in masters:
                                origin, master = masters[si]
                                text = Translator("=" + master, origin).translate_formula(ref)[1:]
                        if text:
                            formulas[ref] = "=" + text
                    el.clear()
                elif tag == "row":
                    el.clear()
        return formulas
