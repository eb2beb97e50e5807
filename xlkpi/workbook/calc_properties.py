"""The workbook calculation properties (``<calcPr>``) of every file xlkpi writes.

The decision: the stored values must survive opening. Without the add-in (a Mac, a PC where it
did not load, a colleague's Excel) a formula that Excel recalculates shows ``#NAME?``; with it,
a recalculation on open runs every UDF. So nothing we write asks Excel to recalculate on load.
ECMA-376 Part 1, §18.2.2 (``calcPr``), in the standard's words:

* ``fullCalcOnLoad`` — "indicates whether the application shall perform a full calculation when
  the workbook is opened" (default false). openpyxl and xlsxwriter write ``"1"``; we write
  ``"0"`` so the intent is visible in the file.
* ``calcId`` — "the version of the calculation engine used to calculate values in the workbook.
  When you open a workbook created in the current version, the application recalculates only the
  formulas that depend on cells that have changed. When you … open a workbook that was created in
  an earlier version of the application, all the formulas in the workbook … are recalculated."
  MS-XLS 2.4.215 says the same: a value *less than* the application's engine identifier makes it
  "recalculate the results of all formulas on this workbook immediately after loading the file".
  openpyxl and xlsxwriter write 124519 (Excel 2007), so every current Excel recalculated our books
  on open. We write 191029, the identifier of Excel 2019, 2021 and Microsoft 365; Excel 2016
  (171027) and 2013 (152511) have lower engines and also keep the values. A file whose calcId is
  already higher (saved by a newer Excel) keeps its own.
* ``calcMode`` — "when the application should calculate formulas"; default ``auto``, which we
  keep: after an edit, Excel recalculates the cells that depend on it (with the add-in loaded).
* ``forceFullCalc`` is dropped (it would make every calculation a full one); other attributes
  (iteration, precision, ``calcOnSave``, ``calcCompleted``) are kept as they are.

Volatile functions (NOW, …) are still recalculated on every open: the add-in notice on 工资表
and 说明 uses that on purpose (one cheap UDF probe, see ``workbook_templates.payroll``).
"""

from __future__ import annotations

import re
from typing import Any

CALC_ID = 191029  # Excel 2019 / 2021 / Microsoft 365 calculation engine
DROPPED = ("fullCalcOnLoad", "forceFullCalc")
# CT_Workbook's children after calcPr: a missing calcPr goes before the first of them.
_AFTER = (
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)
_CALC_PR = re.compile(rb"<(?:(\w+):)?calcPr\b([^>]*?)\s*(/>|>\s*</(?:\w+:)?calcPr>)")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*("[^"]*"|'[^']*')""")


def calc_pr(attributes: dict[str, str] | None = None, prefix: str = "") -> bytes:
    """The ``<calcPr>`` element we write, from a file's existing attributes (if any).

    >>> calc_pr({"calcId": "124519", "fullCalcOnLoad": "1"})
    b'<calcPr calcId="191029" fullCalcOnLoad="0"/>'
    """
    attrs = {k: v for k, v in (attributes or {}).items() if k not in DROPPED}
    old = attrs.get("calcId", "0")
    attrs["calcId"] = str(max(CALC_ID, int(old) if old.isdigit() else 0))
    attrs["fullCalcOnLoad"] = "0"
    order = ["calcId", *[k for k in attrs if k not in ("calcId", "fullCalcOnLoad")]]
    text = " ".join(f'{k}="{attrs[k]}"' for k in [*order, "fullCalcOnLoad"])
    tag = f"{prefix}:calcPr" if prefix else "calcPr"
    return f"<{tag} {text}/>".encode()


def fix_workbook_xml(xml: bytes) -> bytes:
    """``xl/workbook.xml`` with its calcPr replaced by :func:`calc_pr` (added when missing)."""
    found = _CALC_PR.search(xml)
    if found is not None:
        prefix = (found.group(1) or b"").decode()
        attrs = {k.decode(): v[1:-1].decode() for k, v in _ATTR.findall(found.group(2))}
        return xml[: found.start()] + calc_pr(attrs, prefix) + xml[found.end() :]
    prefix = _root_prefix(xml)
    for name in _AFTER:
        at = re.search(rb"<(?:\w+:)?" + name.encode() + rb"\b", xml)
        if at is not None:
            return xml[: at.start()] + calc_pr(None, prefix) + xml[at.start() :]
    end = re.search(rb"</(?:\w+:)?workbook>", xml)
    if end is None:
        raise ValueError("not a workbook part: no </workbook>")
    return xml[: end.start()] + calc_pr(None, prefix) + xml[end.start() :]


def _root_prefix(xml: bytes) -> str:
    root = re.search(rb"<(?:(\w+):)?workbook\b", xml)
    return (root.group(1) or b"").decode() if root else ""


def openpyxl_calc_properties() -> Any:
    """The same properties as openpyxl's ``wb.calculation`` (for workbooks it writes)."""
    from openpyxl.workbook.properties import CalcProperties

    return CalcProperties(calcId=CALC_ID, fullCalcOnLoad=False)


def configure_xlsxwriter(workbook: Any) -> None:
    """Give an ``xlsxwriter.Workbook`` the same properties (it writes fullCalcOnLoad="1")."""
    workbook.calc_on_load = False
    workbook.calc_id = CALC_ID
