"""Validate a month workbook: every input problem at once, the policy, and edits to a sealed month.

``check(path)`` returns a :class:`CheckReport`; it never writes. Problems are cell problems
(sheet, cell, value, message, remedy) from the reader, plus anything the engine refuses once the
cells are valid. For a sealed month it recomputes the fingerprints and names each sheet whose
input cells, and whether the Payroll / Alerts values, changed after ``xlkpi close``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xlkpi.engine import MonthResult
from xlkpi.errors import CellProblem, WorkbookValidationError
from xlkpi.layout import ALERTS, PAYROLL, POLICY
from xlkpi.workbook_reader import (
    META_INPUT_HASH,
    META_SEAL_HASH,
    META_SEAL_RESULTS,
    META_SEAL_SHEETS,
    STATUS_RECALCULATED,
    STATUS_SEALED,
    WorkbookContents,
    decode_sheet_hashes,
    read_workbook,
    results_hash,
    seal_hash,
)


@dataclass
class CheckReport:
    """The outcome of a check: problems, sealed-month findings and notes."""

    path: Path
    month: str
    status: str
    employees: int
    problems: list[CellProblem] = field(default_factory=list)
    seal_broken: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    result: MonthResult | None = None

    @property
    def ok(self) -> bool:
        """True when there is nothing to fix (notes are informational)."""
        return not self.problems and not self.seal_broken


def seal_findings(contents: WorkbookContents) -> list[str]:
    """What changed since the month was sealed (empty when the seal holds)."""
    meta = contents.meta
    sealed = decode_sheet_hashes(meta.get(META_SEAL_SHEETS, ""))
    findings = []
    now = contents.sheet_hashes
    for name in sorted(set(sealed) | set(now)):
        if sealed.get(name) != now.get(name):
            what = "the policy" if name == POLICY else f"input cells on {name}"
            if name not in now:
                findings.append(f"the sheet {name} was removed after the month was sealed")
            else:
                findings.append(f"{what} changed after the month was sealed")
    if meta.get(META_SEAL_RESULTS, "") != results_hash(contents):
        findings.append(f"the {PAYROLL.name} / {ALERTS.name} values changed after sealing")
    if not findings:
        expected = seal_hash(
            contents.month_name,
            contents.input_hash,
            sealed.get(POLICY, ""),
            meta.get(META_SEAL_RESULTS, ""),
        )
        if meta.get(META_SEAL_HASH, "") != expected:
            findings.append("the seal itself was altered (meta sheet edited)")
    return findings


def check(path: Path, contents: WorkbookContents | None = None) -> CheckReport:
    """Validate the workbook at ``path`` (read only); ``contents`` when already read."""
    from xlkpi.recalc import compute_checked

    contents = contents or read_workbook(Path(path))
    report = CheckReport(
        path=Path(path),
        month=contents.month_name,
        status=contents.status,
        employees=len(contents.roster_rows),
        problems=list(contents.problems),
    )
    if contents.ok:
        try:
            report.result = compute_checked(contents)
        except WorkbookValidationError as exc:
            report.problems.extend(exc.problems)
    if contents.status == STATUS_SEALED:
        report.seal_broken = seal_findings(contents)
    elif contents.status == STATUS_RECALCULATED:
        if contents.meta.get(META_INPUT_HASH, "") != contents.input_hash:
            report.notes.append(
                "inputs changed since the last recalc: the Payroll is out of date; run xlkpi recalc"
            )
    elif report.ok:
        report.notes.append("the month has not been recalculated yet; run xlkpi recalc")
    return report
