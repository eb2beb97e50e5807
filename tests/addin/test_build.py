"""The built add-in, read back by independent readers (zipfile, olefile, olevba, openpyxl)."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import subprocess
import zipfile
from pathlib import Path
from types import ModuleType

import olefile
import openpyxl
import pytest
import xlwings
import xmlschema
from oletools.olevba import VBA_Parser

from xlkpi.addin import build as addin
from xlkpi.addin.ovba import decompress, parse_dir_stream
from xlkpi.addin.udf_wrappers import generate_udf_module

FAKE = "tests.fake_udfs"
SCHEMA = Path("/work/shared/schemas/customui14.xsd")
NS_UI = "{http://schemas.microsoft.com/office/2009/07/customui}"
EXPECTED_BUTTONS = {
    "重算薪资": "recalc",
    "校验": "check",
    "新建月份": "new_month",
    "工资条": "payslips",
    "封账": "close_month",
    "说明": "explain",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return addin.build_addin(tmp_path_factory.mktemp("a"), udf_module=FAKE)


@pytest.fixture(scope="module")
def macros(built: Path) -> dict[str, str]:
    """Module name -> source, as olevba extracts them from the .xlam."""
    parser = VBA_Parser(str(built))
    found = {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    return found


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


def test_building_twice_gives_identical_bytes(built: Path, tmp_path: Path) -> None:
    again = addin.build_addin(tmp_path / "again.xlam", udf_module=FAKE)
    assert again.name == "again.xlam"
    assert again.read_bytes() == built.read_bytes()
    assert built.name == "xlkpi.xlam"


def test_package_layout(built: Path) -> None:
    with zipfile.ZipFile(built) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        types = zf.read("[Content_Types].xml").decode()
        rels = zf.read("_rels/.rels").decode()
        wb_rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        workbook = zf.read("xl/workbook.xml").decode()
    assert set(names) == {
        "[Content_Types].xml",
        "_rels/.rels",
        "customUI/customUI14.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/theme/theme1.xml",
        "xl/vbaProject.bin",
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
    }
    assert 'ContentType="application/vnd.ms-excel.addin.macroEnabled.main+xml"' in types
    assert (
        'PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    )
    assert (
        'Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" '
        'Target="customUI/customUI14.xml"' in rels
    )
    assert 'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"' in wb_rels
    assert '<sheet name="xlwings.conf"' in workbook
    assert 'codeName="ThisWorkbook"' in workbook


def test_vba_project_is_source_only(built: Path) -> None:
    with zipfile.ZipFile(built) as zf:
        ole = olefile.OleFileIO(zf.read("xl/vbaProject.bin"))
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000100")
    records = parse_dir_stream(decompress(ole.openstream("VBA/dir").read()))
    names = [data.decode() for rid, data in records if rid == 0x19]
    assert names == [
        "ThisWorkbook",
        "Sheet1",
        "xlwings",
        "Dictionary",
        "RibbonCallbacks",
        "xlwings_udfs",
    ]
    assert [data for rid, data in records if rid == 0x31] == [bytes(4)] * len(names)
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Document=Sheet1/&H00000000" in project and "Class=Dictionary" in project


def test_olevba_extracts_exactly_our_modules(built: Path, macros: dict[str, str]) -> None:
    expected = {m.name: m.source for m in addin.vba_modules(FAKE)}
    assert set(macros) == set(expected)
    for name, source in expected.items():
        assert _lf(macros[name]) == _lf(source), name


def test_xlwings_runtime_is_xlwings_own_with_our_project_name(macros: dict[str, str]) -> None:
    shipped = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_text()
    ours = _lf(macros["xlwings"])
    assert f'Public Const XLWINGS_VERSION As String = "{xlwings.__version__}"' in ours
    project_name = re.search(r'Public Const PROJECT_NAME As String = "(\w+)"', ours)
    assert project_name and project_name.group(1) == "xlwings"
    assert ours == _lf(shipped).replace(
        'PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "xlwings"'
    )
    assert "xlwings is distributed under a BSD 3-clause license" in ours
    # GetConfigFromSheet reads the sheet PROJECT_NAME & ".conf" of the add-in (ThisWorkbook).
    assert 'SheetExists(ThisWorkbook, PROJECT_NAME & ".conf")' in ours
    assert addin.CONFIG_SHEET == f"{project_name.group(1)}.conf"


def test_config_sheet_names_the_udf_module(tmp_path: Path) -> None:
    xlsm = addin.build_xlsm(tmp_path, udf_module=FAKE)
    with zipfile.ZipFile(xlsm) as zf:
        assert (
            "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
            in zf.read("[Content_Types].xml").decode()
        )
    book = openpyxl.load_workbook(xlsm)
    assert book.sheetnames == ["xlwings.conf"]
    sheet = book["xlwings.conf"]
    # xlwings upper-cases the keys it reads: "UDF Modules" is found as "UDF MODULES".
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["UDF Modules", FAKE]]


def _ribbon() -> tuple[list[dict[str, str]], str]:
    xml = addin.CUSTOM_UI.read_text(encoding="utf-8")
    xmlschema.XMLSchema(str(SCHEMA)).validate(str(addin.CUSTOM_UI))
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    buttons = [dict(b.attrib) for b in root.iter(f"{NS_UI}button")]
    tab = next(root.iter(f"{NS_UI}tab"))
    return buttons, tab.attrib["label"]


def _subs(source: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"(?m)^Sub (\w+)\(([^)]*)\)", source)}


def test_ribbon_validates_and_every_button_has_a_callback(macros: dict[str, str]) -> None:
    buttons, tab_label = _ribbon()
    assert tab_label == "绩效薪酬 (xlkpi)"
    assert sorted(b["label"] for b in buttons) == sorted(EXPECTED_BUTTONS)
    for button in buttons:
        assert button["imageMso"] and button["screentip"] and button["supertip"]
        module, sub = button["onAction"].split(".")
        assert _subs(macros[module]).get(sub) == "control As IRibbonControl", button["onAction"]


def test_every_callback_runs_a_function_of_xlkpi_macros(macros: dict[str, str]) -> None:
    buttons, _ = _ribbon()
    subs_source = macros["RibbonCallbacks"]
    commands = dict(
        re.findall(
            r'(?ms)^Sub (\w+)\(control As IRibbonControl\)\s*\n\s*RunPython "([^"]*)"', subs_source
        )
    )
    actions = {}
    for button in buttons:
        command = commands[button["onAction"].split(".")[1]]
        match = re.fullmatch(r"import xlkpi\.addin\.macros as m; m\.(\w+)\(\)", command)
        assert match, command
        actions[button["label"]] = match.group(1)
    assert actions == EXPECTED_BUTTONS
    assert set(actions.values()) == set(addin.RIBBON_ACTIONS)
    if importlib.util.find_spec("xlkpi.addin.macros") is not None:
        macros_module = importlib.import_module("xlkpi.addin.macros")
        for action in actions.values():
            func = getattr(macros_module, action)
            required = [
                p
                for p in inspect.signature(func).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind is not p.VAR_POSITIONAL
            ]
            assert not required, f"xlkpi.addin.macros.{action} must be callable without arguments"


def _vba_arities(source: str) -> dict[str, tuple[int, int, bool]]:
    """Function name -> (required, optional, has ParamArray) from the wrapper module."""
    out = {}
    for m in re.finditer(r"(?m)^(?:Function|Sub) (\w+)\((.*)\)$", _lf(source)):
        params = [p for p in m.group(2).split(", ") if p]
        optional = sum(p.startswith("Optional ") for p in params)
        vararg = any(p.startswith("ParamArray ") for p in params)
        out[m.group(1)] = (len(params) - optional - vararg, optional, vararg)
    return out


def _python_arities(module: ModuleType) -> dict[str, tuple[int, int, bool]]:
    out = {}
    for name in getattr(module, "__all__", []):
        params = [
            p
            for p in inspect.signature(getattr(module, name)).parameters.values()
            if p.name != "caller"
        ]
        vararg = any(p.kind is p.VAR_POSITIONAL for p in params)
        optional = sum(p.default is not p.empty for p in params)
        out[name] = (len(params) - optional - vararg, optional, vararg)
    return out


def test_udf_wrappers_in_the_addin_match_python(macros: dict[str, str]) -> None:
    fake = importlib.import_module(FAKE)
    assert _vba_arities(macros["xlwings_udfs"]) == _python_arities(fake)
    assert _python_arities(fake)["SCALE"] == (1, 2, False)
    assert _python_arities(fake)["TOTAL"] == (1, 0, True)


def test_udfs_package_wrappers_match_python() -> None:
    """The real UDF module: it must export UDFs, and each wrapper must match its function."""
    udfs = importlib.import_module("udfs")
    exported = _python_arities(udfs)
    assert exported, "udfs exports no functions in __all__: the add-in would have no UDFs"
    assert _vba_arities(generate_udf_module(udfs, "udfs")) == exported


def test_install_refuses_politely_without_excel(built: Path) -> None:
    said: list[str] = []
    calls: list[list[str]] = []

    def run(cmd: list[str], check: bool) -> subprocess.CompletedProcess[bytes]:
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0)

    assert addin.install_addin(built, platform="linux", run=run, echo=said.append) is False
    assert not calls
    assert "xlwings addin install -f" in said[0] and "Cannot" in said[0]


def test_install_runs_xlwings_on_windows_and_mac(built: Path) -> None:
    for platform in ("win32", "darwin"):
        calls: list[list[str]] = []

        def run(
            cmd: list[str], check: bool, calls: list[list[str]] = calls
        ) -> subprocess.CompletedProcess[bytes]:
            calls.append(cmd)
            return subprocess.CompletedProcess(cmd, 0)

        assert addin.install_addin(built, platform=platform, run=run, echo=lambda _: None)
        assert [c[3:] for c in calls] == [
            ["addin", "install", "-f", str(built.resolve())],
            ["config", "create"],
        ]


def test_install_reports_failures(built: Path, tmp_path: Path) -> None:
    def fail(cmd: list[str], check: bool) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(cmd, 1)

    with pytest.raises(addin.AddinInstallError, match="exit code 1"):
        addin.install_addin(built, platform="win32", run=fail, echo=lambda _: None)
    with pytest.raises(addin.AddinInstallError, match="does not exist"):
        addin.install_addin(tmp_path / "missing.xlam", platform="win32", run=fail)
