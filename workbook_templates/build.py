"""Build the HR workbook: every sheet in order, defined names, and the same bytes each time."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

from workbook_templates.input_sheets import (
    write_attendance,
    write_roster,
    write_sales,
    write_shops,
    write_supervisor_self,
    write_tax_inputs,
    write_teams,
)
from workbook_templates.native.payroll import native_payroll_formulas
from workbook_templates.native.workbook import make_native
from workbook_templates.other_sheets import (
    write_alerts,
    write_history,
    write_meta,
    write_readme,
    write_tax_sheet,
)
from workbook_templates.payroll import (
    payroll_formulas,
    table_runs,
    used_rows,
    write_payroll_array,
    write_payroll_sheet,
    write_readme_notice,
)
from workbook_templates.policy_sheet import write_policy_sheet
from workbook_templates.scorecards import sheet_name, write_scorecard
from workbook_templates.style import print_setup, set_default_font
from xlkpi import layout
from xlkpi.builds import ADDIN, DEFAULT_BUILD, NATIVE, check_build
from xlkpi.engine import MonthResult, compute_month
from xlkpi.inputs import Month
from xlkpi.policy import Policy
from xlkpi.policy_io import default_policy

FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def build_workbook(
    path: str | Path,
    policy: Policy | None = None,
    month: Month | None = None,
    lang: str = "zh",
    build: str = DEFAULT_BUILD,
) -> Path:
    """Write the template (``month=None``) or a month's workbook with its inputs and Payroll.

    The Payroll holds formulas only; for a month the engine's trace and alerts are written as
    values (the formulas' cached values are filled by ``xlkpi recalc``). Same inputs, same bytes.
    ``build`` (:mod:`xlkpi.builds`): ``addin`` formulas call the xlkpi functions, ``native``
    ones are plain formulas (``workbook_templates.native``).
    """
    check_build(build)
    if lang != "zh":
        raise ValueError(f"lang is {lang!r}; only the Chinese workbook (zh) is built so far")
    policy = policy or default_policy()
    target = Path(path)
    data = workbook_bytes(policy, month, lang, build)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def workbook_bytes(
    policy: Policy, month: Month | None, lang: str = "zh", build: str = DEFAULT_BUILD
) -> bytes:
    """The workbook as deterministic .xlsx bytes."""
    wb = _workbook(policy, month, lang, build)
    raw = io.BytesIO()
    wb.save(raw)
    return _normalise_zip(raw.getvalue())


def _workbook(policy: Policy, month: Month | None, lang: str, build: str) -> Workbook:
    employees = list(month.employees) if month else []
    result: MonthResult | None = compute_month(month, policy) if month else None
    in_force = policy.at(month.month) if month else policy
    last, history_last = row_bounds(month)
    alerts_last = layout.data_last_row(max(len(employees), len(result.alerts) if result else 0))
    wb = Workbook()
    set_default_font(wb)
    readme = wb.active
    readme.title = layout.README
    write_readme_notice(readme)  # excel: the add-in notice on top of 说明 (row 1)
    write_readme(readme, month.month if month else None, policy=in_force, lang=lang, build=build)
    names: dict[str, str] = {}
    names |= write_policy_sheet(
        wb.create_sheet(layout.POLICY), policy, month.month if month else None
    )
    write_roster(wb.create_sheet(layout.ROSTER.name), employees, in_force, last, lang)
    sheet = wb.create_sheet(layout.ATTENDANCE.name)
    write_attendance(sheet, employees, month, in_force, last, lang)
    write_sales(wb.create_sheet(layout.SALES.name), employees, month, in_force, last, lang)
    names |= write_shops(wb.create_sheet(layout.SHOPS.name), month, in_force, last, lang)
    write_teams(wb.create_sheet(layout.TEAMS.name), month, in_force, last, lang)
    for key, card in in_force.scorecards.items():
        sheet = wb.create_sheet(sheet_name(key))
        write_scorecard(sheet, key, card, employees, month, in_force, last, lang)
    sheet = wb.create_sheet(layout.SUPERVISOR_SELF.name)
    write_supervisor_self(sheet, employees, month, in_force, last, lang)
    sheet = wb.create_sheet(layout.TAX_INPUTS.name)
    write_tax_inputs(sheet, employees, month, in_force, last, lang)
    write_payroll_sheet(
        wb.create_sheet(layout.PAYROLL.name),
        employees,
        in_force,
        result,
        formulas=payroll_formulas if build == ADDIN else native_payroll_formulas,
        last_row=last,
        history_last_row=history_last,
    )
    write_alerts(wb.create_sheet(layout.ALERTS.name), result, alerts_last)
    write_tax_sheet(wb.create_sheet(layout.TAX_SHEET.name), result, month)
    write_history(wb.create_sheet(layout.HISTORY.name), month, employees)
    names |= write_meta(wb.create_sheet(layout.META), month.month if month else None, lang)
    if build == NATIVE:
        make_native(wb, in_force, len(employees), last)
    else:  # the add-in build: the pay columns are one PAY_TABLE array formula
        sheet_rows = {name: used_rows(wb[name]) for name, _ in table_runs(in_force) if name in wb}
        write_payroll_array(wb[layout.PAYROLL.name], in_force, len(employees), sheet_rows)
    printed = len(layout.PAYROLL.columns) - len(layout.PAYROLL_HELPERS)  # not the notice
    name = layout.ROSTER.column("name").header
    for ws in wb.worksheets:
        rows = None if ws.title == layout.README else layout.HEADER_ROW
        columns = printed if ws.title == layout.PAYROLL.name else None
        print_setup(ws, rows, columns, name, last)
    for name, ref in sorted(names.items()):
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    wb.properties.creator = "xlkpi"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.lastModifiedBy = "xlkpi"
    return wb


def row_bounds(month: Month | None) -> tuple[int, int]:
    """(last row of the staff-sheet lookups, last row of the History lookups) for ``month``.

    From its staff count and History records (``layout.data_last_row`` /
    ``layout.history_last_row``); recalc derives the same bounds from the workbook it reads.
    """
    staff = len(month.employees) if month else 0
    records = len(month.history) if month else 0
    return layout.data_last_row(staff), layout.history_last_row(records, staff)


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps and a fixed modified time in docProps/core.xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fix_core(content)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def _fix_core(content: bytes) -> bytes:
    import re

    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
        rb"\g<1>" + stamp + rb"\g<2>",
        content,
    )
