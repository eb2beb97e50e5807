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
from xlkpi.errors import CellProblem, PolicyError, WorkbookValidationError
from xlkpi.layout import PAYROLL
from xlkpi.messages import t
from xlkpi.workbook.meta import META_INPUT_HASH, STATUS_RECALCULATED
from xlkpi.workbook.reader import WorkbookContents, read_workbook


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


def seal_findings(contents: WorkbookContents, key: bytes | None = None) -> list[str]:
    """What changed since the month was sealed (empty when the seal holds).

    See :mod:`xlkpi.workbook.seal`.
    """
    from xlkpi.workbook.seal import findings

    return findings(contents, key)[0]


def check(
    path: Path, contents: WorkbookContents | None = None, key: bytes | None = None
) -> CheckReport:
    """Validate the workbook at ``path`` (read only); ``contents`` when already read.

    A sealed month's seal is verified (with ``key``, its keyed signature too).
    """
    from xlkpi.recalc import compute_checked
    from xlkpi.workbook.seal import findings, is_sealed

    contents = contents or read_workbook(Path(path))
    report = CheckReport(
        path=Path(path),
        month=contents.month_name,
        status=contents.status,
        employees=len(contents.roster_rows),
        problems=list(contents.problems),
    )
    if PAYROLL.name not in contents.sheet_names:  # recalc would have nowhere to write
        zh = contents.lang != "en"
        report.problems.append(
            CellProblem(
                PAYROLL.name,
                "A1",
                None,
                f"工作表「{PAYROLL.name}」缺失" if zh else f"the sheet {PAYROLL.name} is missing",
                "从模板复制「工资表」，或用 `xlkpi new-month` 重新开始本月"
                if zh
                else "copy the Payroll sheet from the template or start the month again",
            )
        )
    for warning in contents.warnings:  # e.g. a roster amount the plan replaces by policy
        sep = ": " if contents.lang == "en" else "："
        report.notes.append(
            f"{warning.sheet}!{warning.cell}{sep}{warning.message}。{warning.remedy}"
        )
    stale = _stale_table(contents)
    if stale:
        report.notes.append(stale)
    if contents.ok and PAYROLL.name in contents.sheet_names:
        try:
            report.result = compute_checked(contents)
        except WorkbookValidationError as exc:
            report.problems.extend(exc.problems)
    if is_sealed(contents.meta):
        report.seal_broken, seal_notes = findings(contents, key)
        report.notes.extend(seal_notes)
    elif contents.status == STATUS_RECALCULATED:
        if contents.meta.get(META_INPUT_HASH, "") != contents.input_hash:
            report.notes.append(t("check.stale", lang=contents.lang))
    elif report.ok:
        report.notes.append(t("check.not_recalculated", lang=contents.lang))
    return report


def _stale_table(contents: WorkbookContents) -> str | None:
    """A warning when the social-insurance city table's effective year is before the month's."""
    from xlkpi.tax.contributions import stale_table_message
    from xlkpi.workbook.meta import MONTH_RE

    if contents.policy is None or not MONTH_RE.match(contents.month_name or ""):
        return None
    try:
        policy = contents.policy.at(contents.month_name)
    except PolicyError:  # a broken dated change: already a problem of the reader
        return None
    return stale_table_message(contents.month_name, policy)
