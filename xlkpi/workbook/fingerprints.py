"""Fingerprints of a month workbook: hashes of its input cells, policy and results.

The month cycle and the seal compare them. Cells are hashed in a canonical text form, so a
value reads the same however it was read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from xlkpi import layout
from xlkpi.layout import (
    HISTORY,
    POLICY,
    SHOPS,
    TEAMS,
    SheetLayout,
)
from xlkpi.workbook.sheets import Sheet, is_blank, public_sales_cell

if TYPE_CHECKING:
    from xlkpi.workbook.reader import WorkbookContents


def canonical_text(value: Any) -> str:
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
    """SHA-256 over named tables of cells, canonicalised: the same cells give the same hash.

    The two kinds nearly every cell is, floats and text, are :func:`canonical_text` inline
    (a million cells at 10,000 staff: the call per cell was most of the time)."""
    h = hashlib.sha256()
    canon = canonical_text
    for name, rows in parts:
        h.update(b"\x1e" + name.encode())
        chunk = [
            "\x1f".join(
                [
                    repr(v)
                    if type(v) is float
                    else (("s:" + v) if v else "")
                    if type(v) is str
                    else canon(v)
                    for v in row
                ]
            )
            for row in rows
        ]
        h.update("\x1d".join(chunk).encode())
    return h.hexdigest()


def input_columns(sheet: Sheet, sheet_layout: SheetLayout | None) -> list[int]:
    """Indexes of the columns holding inputs (every non-formula column found)."""
    if sheet_layout is None:
        return list(range(max((len(r) for r in sheet.rows), default=0)))
    cols = []
    for column in sheet_layout.columns:
        if column.kind != "formula" and column.header in sheet.headers:
            cols.append(sheet.headers[column.header])
    return sorted(cols)


def trimmed_rows(sheet: Sheet, cols: list[int]) -> list[Sequence[Any]]:
    """The given columns of every row down to the last row holding any of them."""
    out: list[Sequence[Any]] = []
    if not cols:
        return out
    last = cols[-1]
    pick = itemgetter(*cols) if len(cols) > 1 else lambda cells: (cells[last],)
    for cells in sheet.rows:
        if len(cells) > last:
            out.append(pick(cells))  # a tuple, in C: most rows are as wide as the sheet
        else:
            width = len(cells)
            out.append([cells[c] if c < width else "" for c in cols])
    while out and all(is_blank(v) for v in out[-1]):
        out.pop()
    return out


def input_fingerprints(sheets: dict[str, Sheet]) -> dict[str, str]:
    """Hash of the input cells of each input sheet (policy and history included), by sheet."""
    parts: dict[str, list[list[Any]]] = {}
    for sheet_layout in (*layout.INPUT_SHEETS, HISTORY):
        sheet = sheets.get(sheet_layout.name)
        if sheet is not None:
            parts[sheet.name] = trimmed_rows(sheet, input_columns(sheet, sheet_layout))
    for name in (SHOPS.name, TEAMS.name):  # the public-sales cell sits outside the table
        sheet = sheets.get(name)
        if sheet is not None:
            where = public_sales_cell(sheet)
            parts[name].append(["public", sheet.value(*where) if where else ""])
    for name in layout.SCORECARD_SHEETS.values():
        sheet = sheets.get(name)
        if sheet is not None:
            cols = [i for h, i in sheet.headers.items() if not is_total_header(h)]
            parts[name] = trimmed_rows(sheet, sorted(cols))
    policy_sheet = sheets.get(POLICY)
    if policy_sheet is not None:
        parts[POLICY] = trimmed_rows(policy_sheet, input_columns(policy_sheet, None))
    return {name: fingerprint([(name, rows)]) for name, rows in parts.items()}


def combined_hash(hashes: dict[str, str]) -> str:
    """One hash over per-sheet hashes (sheet order does not matter)."""
    return fingerprint([("sheets", sorted(hashes.items()))])


_TOTAL_HEADERS = ("合计", "总分", "得分", "绩效分数", "姓名")


def is_total_header(header: str) -> bool:
    return any(header.startswith(h) for h in _TOTAL_HEADERS)


def results_hash(contents: WorkbookContents) -> str:
    """Hash of what the Payroll and Alerts sheets show (their cached values)."""
    parts = []
    for name in (layout.PAYROLL.name, layout.ALERTS.name):
        sheet = contents.sheets.get(name)
        if sheet is not None:
            parts.append((name, trimmed_rows(sheet, input_columns(sheet, None))))
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
