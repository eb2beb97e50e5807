"""The hidden ``_xlkpi`` meta sheet: its keys, the month's status values and reading them."""

from __future__ import annotations

import re

from xlkpi.workbook.sheets import Sheet, cell_text

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


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


def read_meta(sheet: Sheet | None) -> tuple[dict[str, str], dict[str, int]]:
    """Meta key → value text, and key → row number, from the hidden meta sheet."""
    meta: dict[str, str] = {}
    rows: dict[str, int] = {}
    if sheet is None:
        return meta, rows
    for r, row in enumerate(sheet.rows, start=1):
        if not row:
            continue
        key = cell_text(row[0])
        if key and key not in rows:
            rows[key] = r
            meta[key] = cell_text(row[1]) if len(row) > 1 else ""
    return meta, rows
