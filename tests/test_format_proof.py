"""Format proof: every workbook the project writes validates against the ISO/IEC 29500 / OPC /
custom-UI schemas (Markup Compatibility applied) and passes openxml-audit with no finding
beyond the known ones — and keeps its stored values on open. Validators missing: fail."""

from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import ooxml
from tests.support.old_books import without_sheet
from tests.workbook.test_calc_properties import assert_keeps_values_on_open
from workbook_templates import TEMPLATE_FILE, build_workbook
from workbook_templates import payroll as template
from xlkpi import layout, month_cycle, recalc
from xlkpi.addin import build as addin
from xlkpi.payslips import write_payslips
from xlkpi.sample_data import demo_month

TEMPLATE = Path(template.__file__).with_name(TEMPLATE_FILE)
PASSWORD = "s3cret"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One of every kind of workbook xlkpi writes, made the way the commands make them."""
    root = tmp_path_factory.mktemp("written")
    books: dict[str, Path] = {"template (shipped)": TEMPLATE}
    month = root / "店铺_2026-10.xlsx"
    build_workbook(month, month=demo_month())
    books["demo month, built"] = Path(shutil.copy(month, root / "built.xlsx"))
    recalc.recalc(month)
    books["demo month, recalculated (UDF build)"] = month
    old = without_sheet(books["demo month, built"], root / "old.xlsx", layout.LAST_RECALC)
    recalc.recalc(old)  # the patcher adds the hidden sheet to a book made before it
    books["book made before _上次重算, recalculated"] = old
    native = root / "店铺_2026-10_native.xlsx"
    build_workbook(native, month=demo_month(), build="native")
    recalc.recalc(native)
    books["demo month, recalculated (native build)"] = native
    slips = write_payslips(month, root / "slips", per_employee=True)
    books["payslip strips"] = slips.sheet_file
    books["per-employee payslip"] = slips.employee_files[0]
    locked = write_payslips(
        month, root / "locked", passwords={r: PASSWORD for r in _ids(month)}
    ).employee_files[0]
    books["per-employee payslip, encrypted (decrypted)"] = _decrypted(locked, root)
    nxt = root / "店铺_2026-11.xlsx"
    month_cycle.new_month("2026-11", nxt, source=month)
    books["next month (new-month --from)"] = nxt
    first = root / "first.xlsx"
    month_cycle.new_month("2026-11", first)
    books["first month (new-month --template)"] = first
    closed = Path(shutil.copy(month, root / "closed.xlsx"))
    month_cycle.close(closed)
    books["closed month"] = closed
    books["add-in (.xlam)"] = addin.build_addin(root / "xlkpi.xlam")
    books["add-in as .xlsm"] = addin.build_xlsm(root / "xlkpi.xlsm")
    return books


def _ids(path: Path) -> list[str]:
    from xlkpi.workbook.reader import read_workbook

    contents = read_workbook(path)
    assert contents.month is not None
    return [e.id for e in contents.month.employees]


def _decrypted(path: Path, folder: Path) -> Path:
    import msoffcrypto

    assert not zipfile.is_zipfile(path)  # encrypted: an OLE container, not a package
    with open(path, "rb") as f:
        office = msoffcrypto.OfficeFile(f)
        office.load_key(password=PASSWORD)
        out = io.BytesIO()
        office.decrypt(out)
    target = folder / "decrypted.xlsx"
    target.write_bytes(out.getvalue())
    return target


KINDS = (
    "template (shipped)",
    "demo month, built",
    "demo month, recalculated (UDF build)",
    "book made before _上次重算, recalculated",
    "demo month, recalculated (native build)",
    "payslip strips",
    "per-employee payslip",
    "per-employee payslip, encrypted (decrypted)",
    "next month (new-month --from)",
    "first month (new-month --template)",
    "closed month",
    "add-in (.xlam)",
    "add-in as .xlsm",
)


@pytest.mark.parametrize("kind", KINDS)
def test_every_part_validates_against_its_schema(written: dict[str, Path], kind: str) -> None:
    problems = ooxml.validate_package(written[kind])
    assert not problems, "\n".join(str(p) for p in problems[:20])


@pytest.mark.parametrize("kind", KINDS)
def test_openxml_audit_finds_nothing_beyond_the_known_findings(
    written: dict[str, Path], kind: str
) -> None:
    findings = ooxml.audit_package(written[kind])
    assert not findings, "\n".join(findings[:20])


@pytest.mark.parametrize("kind", [k for k in KINDS if "add-in" not in k])
def test_no_workbook_asks_excel_to_recalculate_on_open(written: dict[str, Path], kind: str) -> None:
    assert_keeps_values_on_open(written[kind])


def test_every_kind_of_file_is_covered(written: dict[str, Path]) -> None:
    assert set(written) == set(KINDS)


# ---------------------------------------------------------------------------------------------
# the validators catch what they must


def _with_part(src: Path, dst: Path, part: str, edit: object) -> Path:
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            data = a.read(info)
            if info.filename == part:
                data = edit(data)  # type: ignore[operator]
            b.writestr(info, data)
    return dst


def test_a_misplaced_element_and_a_bad_attribute_value_are_caught(tmp_path: Path) -> None:
    sheet = "xl/worksheets/sheet1.xml"
    moved = _with_part(
        TEMPLATE,
        tmp_path / "moved.xlsx",
        sheet,
        lambda x: x.replace(b"<sheetData>", b"<sheetData><sheetPr/>", 1),
    )
    assert any(p.part == sheet for p in ooxml.validate_package(moved))
    bad = _with_part(
        TEMPLATE,
        tmp_path / "bad.xlsx",
        "xl/workbook.xml",
        lambda x: x.replace(b'fullCalcOnLoad="0"', b'fullCalcOnLoad="maybe"'),
    )
    assert any(p.part == "xl/workbook.xml" for p in ooxml.validate_package(bad))
    assert ooxml.audit_package(bad)


def test_markup_compatibility_drops_ignorable_content_only(tmp_path: Path) -> None:
    sheet = "xl/worksheets/sheet1.xml"
    mc = b'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    x14ac = b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'

    def ignorable(data: bytes) -> bytes:
        data = data.replace(
            b"<worksheet ", b"<worksheet " + mc + b" " + x14ac + b' mc:Ignorable="x14ac" ', 1
        )
        return data.replace(b"<row ", b'<row x14ac:dyDescent="0.25" ', 1)

    ok = _with_part(TEMPLATE, tmp_path / "ok.xlsx", sheet, ignorable)
    assert not ooxml.validate_package(ok)
    strict = _with_part(
        TEMPLATE,
        tmp_path / "strict.xlsx",
        sheet,
        lambda d: ignorable(d).replace(b'mc:Ignorable="x14ac"', b""),
    )
    assert ooxml.validate_package(strict)  # not ignorable: an unknown attribute


def test_a_missing_schema_fails_instead_of_passing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ooxml.schema.cache_clear()
    monkeypatch.setattr(ooxml, "_BY_TYPE", tuple((t, tmp_path / p.name) for t, p in ooxml._BY_TYPE))
    monkeypatch.setattr(ooxml, "OPC", tmp_path)
    try:
        with pytest.raises(ooxml.ValidatorMissing):
            ooxml.validate_package(TEMPLATE)
    finally:
        ooxml.schema.cache_clear()


def test_a_missing_openxml_audit_fails_instead_of_passing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openxml_audit", None)
    with pytest.raises(ooxml.ValidatorMissing):
        ooxml.audit_package(TEMPLATE)
