"""Add an empty worksheet to an .xlsx package: the parts that must name it, as new bytes.

:func:`xlkpi.workbook.xlsx_patch.patch_workbook` uses it when an edit is for a sheet the
workbook does not have yet and may create (``SheetEdit.create_as``): a book made before the
sheet existed (the hidden ``_上次重算`` of the add-in build) gains it on its next recalc. A
worksheet needs four things (ECMA-376 Part 1, §12.3.24 and Part 2, OPC): its part, an
``Override`` content type, a relationship from the workbook part, and a ``<sheet>`` element in
``<sheets>`` with a new ``sheetId``. It is appended last, so every ``localSheetId`` (a
position) of a defined name still means the sheet it meant.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from xlkpi.workbook.xlsx_patch import quote_attr

WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STATES = ("visible", "hidden", "veryHidden")

EMPTY_WORKSHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
    '<dimension ref="A1"/><sheetData></sheetData></worksheet>'
).encode()


@dataclass(frozen=True)
class NewSheet:
    """A sheet to add: its worksheet part's name and the changed package parts' bytes."""

    part: str
    changed: dict[str, bytes]


def add_sheet(
    name: str,
    state: str,
    workbook_part: str,
    workbook_xml: bytes,
    workbook_rels_part: str,
    workbook_rels: bytes,
    content_types: bytes,
    members: set[str],
) -> NewSheet:
    """The parts to change to append sheet ``name`` (``state`` one of :data:`STATES`).

    The new part is ``worksheets/sheetN.xml`` beside the workbook part with the first free N;
    its content is :data:`EMPTY_WORKSHEET` (the caller patches its cells in).
    """
    if state not in STATES:
        raise ValueError(f"sheet state {state!r} is not one of {STATES}")
    base = posixpath.dirname(workbook_part)
    n = 1
    while posixpath.join(base, f"worksheets/sheet{n}.xml") in members:
        n += 1
    part = posixpath.join(base, f"worksheets/sheet{n}.xml")
    rel_ids = {int(i) for i in re.findall(rb'Id="rId(\d+)"', workbook_rels)}
    rid = f"rId{max(rel_ids, default=0) + 1}"
    relationship = (
        f'<Relationship Id="{rid}" Type="{WORKSHEET_REL}" Target="worksheets/sheet{n}.xml"/>'
    ).encode()
    rels = _insert_before(workbook_rels, rb"</(?:\w+:)?Relationships>", relationship)
    override = (f'<Override PartName="/{part}" ContentType="{WORKSHEET_TYPE}"/>').encode()
    types = _insert_before(content_types, rb"</(?:\w+:)?Types>", override)
    return NewSheet(
        part,
        {
            workbook_part: _with_sheet_element(workbook_xml, name, state, rid),
            workbook_rels_part: rels,
            "[Content_Types].xml": types,
            part: EMPTY_WORKSHEET,
        },
    )


def _with_sheet_element(xml: bytes, name: str, state: str, rid: str) -> bytes:
    """``xml`` (the workbook part) with a ``<sheet>`` for ``name`` appended to ``<sheets>``,
    in the prefix of the spreadsheet namespace the part uses."""
    close = re.search(rb"</((?:\w+:)?)sheets>", xml)
    if close is None:
        raise ValueError("not a workbook part: no </sheets>")
    prefix = close.group(1).decode()
    ids = [int(i) for i in re.findall(rb"<(?:\w+:)?sheet\b[^>]*?\bsheetId=\"(\d+)\"", xml)]
    sheet_id = max(ids, default=0) + 1
    shown = "" if state == "visible" else f' state="{state}"'
    # the relationships prefix is declared on the element itself, as openpyxl writes it: a
    # prefix the root binds may be bound nowhere else, and declaring it again is harmless
    element = (
        f'<{prefix}sheet xmlns:r="{_REL_NS}" name={quote_attr(name)} sheetId="{sheet_id}"'
        f'{shown} r:id="{rid}"/>'
    ).encode()
    return xml[: close.start()] + element + xml[close.start() :]


def _insert_before(xml: bytes, closing: bytes, piece: bytes) -> bytes:
    """``xml`` with ``piece`` inserted before its last match of ``closing`` (the root's end)."""
    matches = list(re.finditer(closing, xml))
    if not matches:
        raise ValueError(f"no {closing!r} in the part")
    at = matches[-1].start()
    return xml[:at] + piece + xml[at:]
