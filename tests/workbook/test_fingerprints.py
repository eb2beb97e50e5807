"""Fingerprints: the canonical form of a cell, whichever way a table's rows come."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from xlkpi.workbook.fingerprints import canonical_text, fingerprint, trimmed_rows
from xlkpi.workbook.sheets import Sheet

CELLS: list[Any] = [
    1.5,
    3.0,
    3,
    Decimal("3"),
    "",
    None,
    "甲",
    " 乙 ",
    True,
    False,
    date(2026, 10, 1),
    datetime(2026, 10, 1, 8, 30),
    -0.0,
]


def by_definition(parts: list[tuple[str, list[list[Any]]]]) -> str:
    """The hash as the module docstring defines it: canonical_text of every cell."""
    h = hashlib.sha256()
    for name, rows in parts:
        h.update(b"\x1e" + name.encode())
        h.update("\x1d".join("\x1f".join(map(canonical_text, row)) for row in rows).encode())
    return h.hexdigest()


def test_every_kind_of_cell_hashes_by_its_canonical_text() -> None:
    rows = [CELLS, CELLS[::-1], [], [""], ["s:"], [True, 1, 1.0]]
    assert fingerprint([("t", rows)]) == by_definition([("t", rows)])
    assert fingerprint([("t", [[3, "", True]])]) == fingerprint([("t", [(3.0, None, True)])])
    assert fingerprint([("t", [[True]])]) != fingerprint([("t", [[1.0]])])
    assert fingerprint([("t", [["1.5"]])]) != fingerprint([("t", [[1.5]])])


def test_trimmed_rows_pick_the_columns_of_short_and_full_rows_alike() -> None:
    rows: list[list[Any]] = [["a", 1.0, "x", 2.0], ["b", 3.0], ["c"], ["", "", "", ""], []]
    sheet = Sheet("S", rows, {})
    picked = trimmed_rows(sheet, [0, 1, 3])
    assert [list(r) for r in picked] == [["a", 1.0, 2.0], ["b", 3.0, ""], ["c", "", ""]]
    assert [list(r) for r in trimmed_rows(sheet, [3])] == [[2.0]]
    assert trimmed_rows(sheet, []) == []
