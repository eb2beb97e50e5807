"""The month's seal: what ``xlkpi close`` stores, and what ``xlkpi check`` finds changed since.

A seal is kept in the hidden meta sheet:

* ``seal_sheets`` — a SHA-256 per input sheet (roster, attendance, sales, scorecards, the
  policy, History), ``seal_results`` — one over what Payroll and Alerts show, and
  ``seal_hash`` — one over the month and those hashes;
* ``seal_cells`` + ``seal_cells_1 … seal_cells_N`` — the sealed *values* of every non-blank
  input cell (JSON, zlib-compressed, base64, cut into pieces that fit an Excel cell), so a
  detected edit names each changed cell with its sealed and its current value;
* with ``xlkpi close --key FILE``, ``seal_hmac`` — HMAC-SHA256, under a key kept outside the
  workbook, over the seal hash and the sealed values.

The hashes are verified whatever the status cell says: a month whose meta holds a seal hash
is sealed (:func:`is_sealed`), so editing the status to ``recalculated`` does not unseal it.

What the unkeyed seal proves: that nobody changed the workbook *by accident or without xlkpi*
since it was closed — any edit to an input cell, the policy, Payroll or Alerts, or the meta
sheet, is reported. What it does not prove: anyone holding xlkpi can reopen an edited month
and close it again, and the new seal is as valid as the old one. The keyed seal closes that
gap: without the key nobody can produce a ``seal_hmac`` that ``check --key`` accepts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from datetime import datetime
from pathlib import Path

from xlkpi import layout
from xlkpi.errors import SealKeyError
from xlkpi.layout import ALERTS, HISTORY, PAYROLL, POLICY, TEAMS
from xlkpi.messages import t
from xlkpi.workbook.fingerprints import (
    canonical_text,
    decode_sheet_hashes,
    encode_sheet_hashes,
    input_columns,
    is_total_header,
    results_hash,
    seal_hash,
)
from xlkpi.workbook.meta import (
    META_SEAL_HASH,
    META_SEAL_INPUTS,
    META_SEAL_POLICY,
    META_SEAL_RESULTS,
    META_SEAL_SHEETS,
    META_SEALED_AT,
    META_STATUS,
    STATUS_SEALED,
)
from xlkpi.workbook.reader import WorkbookContents
from xlkpi.workbook.sheets import Sheet, public_sales_cell, ref

META_SEAL_CELLS = "seal_cells"  # number of pieces; the pieces are seal_cells_1 … seal_cells_N
META_SEAL_HMAC = "seal_hmac"
PIECE = 30_000  # characters per meta cell (Excel holds at most 32,767 in a cell)
MIN_KEY_BYTES = 16
SHOWN_CELLS = 20  # changed cells listed one by one; the rest are counted


# ---------------------------------------------------------------------------------------------
# the key


def read_key(path: Path) -> bytes:
    """The bytes of a key file (at least 16; e.g. ``head -c 32 /dev/urandom > seal.key``)."""
    try:
        key = Path(path).read_bytes()
    except OSError as exc:
        raise SealKeyError(t("seal.key_unreadable", path=path, reason=exc.strerror)) from None
    if len(key) < MIN_KEY_BYTES:
        raise SealKeyError(t("seal.key_short", path=path, size=len(key)))
    return key


def signature(key: bytes, seal: str, cells: str) -> str:
    """HMAC-SHA256 under ``key`` over the seal hash and the sealed cell values."""
    message = f"xlkpi-seal\n{seal}\n{hashlib.sha256(cells.encode()).hexdigest()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# ---------------------------------------------------------------------------------------------
# the sealed cell values


def _cells(sheet: Sheet, cols: list[int]) -> dict[str, list[str]]:
    """Column (0-based, as text) → canonical values of rows 1… down to its last non-blank."""
    out = {}
    canon = canonical_text
    for c in cols:
        values = [canon(cells[c]) if c < len(cells) else "" for cells in sheet.rows]
        while values and not values[-1]:
            values.pop()
        if values:
            out[str(c)] = values
    return out


def by_cell(columns: dict[str, list[str]]) -> dict[str, str]:
    """The non-blank values of :func:`input_cells` columns as cell → value (``C5`` → ``2.0``)."""
    out = {}
    for col, values in columns.items():
        for r, value in enumerate(values, start=1):
            if value:
                out[ref(int(col), r)] = value
    return out


def input_cells(contents: WorkbookContents) -> dict[str, dict[str, list[str]]]:
    """Every input cell by sheet and column: its canonical values by row (what the seal hashes)."""
    sheets = contents.sheets
    out: dict[str, dict[str, str]] = {}
    for sheet_layout in (*layout.INPUT_SHEETS, HISTORY):
        sheet = sheets.get(sheet_layout.name)
        if sheet is not None:
            out[sheet.name] = _cells(sheet, input_columns(sheet, sheet_layout))
    teams = sheets.get(TEAMS.name)
    if teams is not None:
        where = public_sales_cell(teams)
        if where is not None:
            column = out.setdefault(TEAMS.name, {}).setdefault(str(where[1]), [])
            column.extend([""] * (where[0] - len(column)))
            column[where[0] - 1] = canonical_text(teams.value(*where))
    for name in layout.SCORECARD_SHEETS.values():
        sheet = sheets.get(name)
        if sheet is not None:
            cols = sorted(i for h, i in sheet.headers.items() if not is_total_header(h))
            out[name] = _cells(sheet, cols)
    policy_sheet = sheets.get(POLICY)
    if policy_sheet is not None:
        out[POLICY] = _cells(policy_sheet, input_columns(policy_sheet, None))
    return out


def encode_cells(cells: dict[str, dict[str, list[str]]]) -> list[str]:
    """The sealed values as meta pieces (JSON → zlib → base64, cut every :data:`PIECE`)."""
    raw = json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
    text = base64.b64encode(zlib.compress(raw.encode(), 6)).decode("ascii")
    return [text[i : i + PIECE] for i in range(0, len(text), PIECE)] or [""]


def stored_cells_text(meta: dict[str, str]) -> str:
    """The sealed values' text as stored in the meta pieces ('' when there are none)."""
    count = meta.get(META_SEAL_CELLS, "")
    if not count.isdigit():
        return ""
    return "".join(meta.get(f"{META_SEAL_CELLS}_{i}", "") for i in range(1, int(count) + 1))


def decode_cells(text: str) -> dict[str, dict[str, list[str]]] | None:
    """The inverse of :func:`encode_cells` (None when the pieces are missing or damaged)."""
    if not text:
        return None
    try:
        data = json.loads(zlib.decompress(base64.b64decode(text)).decode())
    except (ValueError, zlib.error):
        return None
    return data if isinstance(data, dict) else None


def shown(canon: str | None) -> str:
    """A canonical value as a person reads it: ``s:王五`` → ``“王五”``, ``5.0`` → ``5``."""
    if not canon:
        return t("seal.blank")
    if canon.startswith("s:"):
        return f"“{canon[2:]}”"
    if canon.startswith("d:"):
        return canon[2:]
    if canon.startswith("b:"):
        return "TRUE" if canon.endswith("1") else "FALSE"
    try:
        number = float(canon)
    except ValueError:
        return canon
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _row_col(cell: str) -> tuple[int, str]:
    letters = cell.rstrip("0123456789")
    return int(cell[len(letters) :] or 0), letters.rjust(3)


def changed_cells(
    sealed: dict[str, str], now: dict[str, str]
) -> list[tuple[str, str | None, str | None]]:
    """(cell, sealed value, current value) of every cell that differs, in row order."""
    out = []
    for cell in sorted(set(sealed) | set(now), key=_row_col):
        if sealed.get(cell) != now.get(cell):
            out.append((cell, sealed.get(cell), now.get(cell)))
    return out


# ---------------------------------------------------------------------------------------------
# sealing and verifying


def is_sealed(meta: dict[str, str]) -> bool:
    """A month is sealed when its status says so or its meta holds a seal hash."""
    return meta.get(META_STATUS, "") == STATUS_SEALED or bool(meta.get(META_SEAL_HASH, ""))


def seal_updates(contents: WorkbookContents, key: bytes | None = None) -> dict[str, str]:
    """The meta keys a seal sets: status, hashes, sealed values, the seal (and its HMAC)."""
    inputs = contents.input_hash
    policy = contents.sheet_hashes.get(POLICY, "")
    results = results_hash(contents)
    seal = seal_hash(contents.month_name, inputs, policy, results)
    pieces = encode_cells(input_cells(contents))
    updates = {
        META_STATUS: STATUS_SEALED,
        META_SEAL_INPUTS: inputs,
        META_SEAL_POLICY: policy,
        META_SEAL_RESULTS: results,
        META_SEAL_SHEETS: encode_sheet_hashes(contents.sheet_hashes),
        META_SEAL_HASH: seal,
        META_SEALED_AT: datetime.now().isoformat(timespec="seconds"),
        META_SEAL_CELLS: str(len(pieces)),
        META_SEAL_HMAC: signature(key, seal, "".join(pieces)) if key else "",
    }
    for i, piece in enumerate(pieces, start=1):
        updates[f"{META_SEAL_CELLS}_{i}"] = piece
    old = contents.meta.get(META_SEAL_CELLS, "")
    for i in range(len(pieces) + 1, (int(old) if old.isdigit() else 0) + 1):
        updates[f"{META_SEAL_CELLS}_{i}"] = ""  # pieces of an earlier, longer seal
    return updates


def _cell_findings(
    sheet: str, sealed: dict[str, list[str]] | None, now: dict[str, list[str]]
) -> list[str]:
    if sealed is None:
        return []
    changes = changed_cells(by_cell(sealed), by_cell(now))
    lines = [
        t("seal.cell_changed", sheet=sheet, cell=cell, old=shown(old), new=shown(new))
        for cell, old, new in changes[:SHOWN_CELLS]
    ]
    if len(changes) > SHOWN_CELLS:
        lines.append(t("seal.more_cells", count=len(changes) - SHOWN_CELLS))
    return lines


def findings(contents: WorkbookContents, key: bytes | None = None) -> tuple[list[str], list[str]]:
    """(what changed since the month was sealed, notes); both empty when the seal holds.

    Each changed input cell is named with its sealed and current value (from the sealed
    values in meta); a changed sheet without them (a seal made before they were kept) is
    named as a whole. ``key`` verifies a keyed seal.
    """
    meta = contents.meta
    notes: list[str] = []
    if not is_sealed(meta):
        return [], notes
    out: list[str] = []
    if meta.get(META_STATUS, "") != STATUS_SEALED:
        out.append(t("seal.status_changed", status=meta.get(META_STATUS, "") or t("seal.blank")))
    sealed_hashes = decode_sheet_hashes(meta.get(META_SEAL_SHEETS, ""))
    cells_text = stored_cells_text(meta)
    sealed_cells = decode_cells(cells_text)
    now_cells: dict[str, dict[str, list[str]]] | None = None  # computed when first needed
    now = contents.sheet_hashes
    for name in sorted(set(sealed_hashes) | set(now)):
        if sealed_hashes.get(name) == now.get(name):
            continue
        if name not in now:
            out.append(t("seal.sheet_removed", sheet=name))
            continue
        details: list[str] = []
        if sealed_cells is not None:
            if now_cells is None:
                now_cells = input_cells(contents)
            details = _cell_findings(name, sealed_cells.get(name, {}), now_cells.get(name, {}))
        if details:
            out.extend(details)
        else:
            out.append(
                t("seal.policy_changed") if name == POLICY else t("seal.sheet_changed", sheet=name)
            )
    if meta.get(META_SEAL_RESULTS, "") != results_hash(contents):
        out.append(t("seal.results_changed", payroll=PAYROLL.name, alerts=ALERTS.name))
    if not out:
        expected = seal_hash(
            contents.month_name,
            contents.input_hash,
            sealed_hashes.get(POLICY, ""),
            meta.get(META_SEAL_RESULTS, ""),
        )
        if meta.get(META_SEAL_HASH, "") != expected:
            out.append(t("seal.altered"))
    stored = meta.get(META_SEAL_HMAC, "")
    if key is not None:
        if not stored:
            out.append(t("seal.not_keyed"))
        elif not hmac.compare_digest(
            stored, signature(key, meta.get(META_SEAL_HASH, ""), cells_text)
        ):
            out.append(t("seal.key_mismatch"))
    elif stored:
        notes.append(t("seal.key_missing"))
    return out, notes


def remedy() -> str:
    """What to do about a detected edit."""
    return t("seal.remedy")
