"""Build the xlkpi Excel add-in (xlkpi.xlam) and a matching .xlsm from text sources; install it.

The VBA project holds: the document modules ThisWorkbook and Sheet1; ``xlwings``, the custom
add-in runtime xlwings ships as text (``xlwings_custom_addin.bas``) taken from the *installed*
xlwings at build time, so its DLL name and version always match the Python package; the
``Dictionary`` class xlwings needs on Mac (``xlwings/addin/Dictionary.cls``); the ribbon
callbacks (``xlkpi/addin/vba/RibbonCallbacks.bas``); and the UDF wrappers generated from ``udfs``.
``PROJECT_NAME`` is set to ``xlwings`` so the add-in reads the ``xlwings.conf`` sheet and the
user's standard xlwings config file (where ``xlwings config create`` puts the interpreter).
"""

from __future__ import annotations

import importlib
import io
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import xlwings

from xlkpi.addin.cfb import write_cfb
from xlkpi.addin.ovba import VbaModule, build_vba_storage, stored_class_source
from xlkpi.addin.udf_wrappers import UDF_VBA_MODULE, generate_udf_module
from xlkpi.errors import AddinBuildError, AddinInstallError

ADDIN_FILENAME = "xlkpi.xlam"
VBA_PROJECT_NAME = "xlkpi"
XLWINGS_PROJECT_NAME = "xlwings"
CONFIG_SHEET = f"{XLWINGS_PROJECT_NAME}.conf"
UDF_MODULE = "udfs"
RIBBON_ACTIONS = ("recalc", "check", "new_month", "payslips", "close_month", "explain")

PACKAGE_DIR = Path(__file__).parent
VBA_DIR = PACKAGE_DIR / "vba"
CUSTOM_UI = PACKAGE_DIR / "customUI" / "customUI14.xml"
XLWINGS_DIR = Path(xlwings.__file__).parent

CT_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
CT_XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_OFFICE_DOC = f"{NS_REL}/officeDocument"
REL_UI = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("cp1252")
    except OSError as exc:
        raise AddinBuildError(f"cannot read VBA source {path}: {exc.strerror}") from exc


def xlwings_runtime_source() -> str:
    """The installed xlwings' custom add-in module, with ``PROJECT_NAME`` set to ``xlwings``."""
    source = _read_text(XLWINGS_DIR / "xlwings_custom_addin.bas")
    old = 'Public Const PROJECT_NAME As String = "myaddin"'
    if source.count(old) != 1 or not source.startswith('Attribute VB_Name = "xlwings"'):
        raise AddinBuildError(
            f"xlwings {xlwings.__version__}: xlwings_custom_addin.bas no longer has the expected "
            f"VB_Name and {old!r} line; check the xlwings version"
        )
    return source.replace(old, f'Public Const PROJECT_NAME As String = "{XLWINGS_PROJECT_NAME}"')


def vba_modules(udf_module: str = UDF_MODULE) -> list[VbaModule]:
    """Every module of the add-in's VBA project, in project order."""
    try:
        udfs = importlib.import_module(udf_module)
    except ImportError as exc:
        raise AddinBuildError(f"cannot import the UDF module {udf_module!r}: {exc}") from exc
    return [
        VbaModule("ThisWorkbook", "document", _read_text(VBA_DIR / "ThisWorkbook.cls")),
        VbaModule("Sheet1", "document", _read_text(VBA_DIR / "Sheet1.cls")),
        VbaModule("xlwings", "standard", xlwings_runtime_source()),
        VbaModule(
            "Dictionary",
            "class",
            stored_class_source(_read_text(XLWINGS_DIR / "addin" / "Dictionary.cls")),
        ),
        VbaModule("RibbonCallbacks", "standard", _read_text(VBA_DIR / "RibbonCallbacks.bas")),
        VbaModule(UDF_VBA_MODULE, "standard", generate_udf_module(udfs, udf_module)),
    ]


def build_vba_project_bin(modules: Sequence[VbaModule] | None = None) -> bytes:
    """The bytes of ``xl/vbaProject.bin`` (a compound file holding the VBA project)."""
    streams = build_vba_storage(modules or vba_modules(), VBA_PROJECT_NAME, seed="xlkpi.xlam")
    return write_cfb(streams)


def _content_types(workbook_type: str) -> str:
    overrides = {
        "/xl/workbook.xml": workbook_type,
        "/xl/worksheets/sheet1.xml": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        ),
        "/xl/styles.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
        "/xl/theme/theme1.xml": "application/vnd.openxmlformats-officedocument.theme+xml",
        "/xl/vbaProject.bin": "application/vnd.ms-office.vbaProject",
    }
    parts = [
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
    ]
    parts += [f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides.items()]
    ns = "http://schemas.openxmlformats.org/package/2006/content-types"
    return f'{XML_DECL}<Types xmlns="{ns}">{"".join(parts)}</Types>'


def _rels(rels: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{rel_type}" Target="{target}"/>'
        for i, (rel_type, target) in enumerate(rels, start=1)
    )
    return f'{XML_DECL}<Relationships xmlns="{NS_PKG_REL}">{items}</Relationships>'


def _workbook_xml() -> str:
    return (
        f'{XML_DECL}<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{CONFIG_SHEET}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def _inline_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _config_sheet_xml(udf_module: str) -> str:
    # Only keys with a value: a key with a blank value would hide the user's own setting.
    return (
        f'{XML_DECL}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<sheetPr codeName="Sheet1"/><dimension ref="A1:B1"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        '<cols><col min="1" max="1" width="16" customWidth="1"/></cols>'
        f'<sheetData><row r="1">{_inline_cell("A1", "UDF Modules")}'
        f"{_inline_cell('B1', udf_module)}</row></sheetData>"
        "</worksheet>"
    )


_STYLES = (
    f'{XML_DECL}<styleSheet xmlns="{NS_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _theme_xml() -> bytes:
    """The default Office theme, as openpyxl writes it for every workbook."""
    from openpyxl.writer.theme import theme_xml

    return theme_xml.encode("utf-8")


def package_parts(workbook_type: str, udf_module: str = UDF_MODULE) -> dict[str, bytes]:
    """Every part of the zip package, by part name."""
    texts = {
        "[Content_Types].xml": _content_types(workbook_type),
        "_rels/.rels": _rels(
            [(REL_OFFICE_DOC, "xl/workbook.xml"), (REL_UI, "customUI/customUI14.xml")]
        ),
        "xl/workbook.xml": _workbook_xml(),
        "xl/_rels/workbook.xml.rels": _rels(
            [
                (f"{NS_REL}/worksheet", "worksheets/sheet1.xml"),
                (f"{NS_REL}/styles", "styles.xml"),
                (f"{NS_REL}/theme", "theme/theme1.xml"),  # the Open XML SDK requires one
                (REL_VBA, "vbaProject.bin"),
            ]
        ),
        "xl/worksheets/sheet1.xml": _config_sheet_xml(udf_module),
        "xl/styles.xml": _STYLES,
    }
    parts = {name: text.encode("utf-8") for name, text in texts.items()}
    parts["customUI/customUI14.xml"] = CUSTOM_UI.read_bytes()
    parts["xl/theme/theme1.xml"] = _theme_xml()
    parts["xl/vbaProject.bin"] = build_vba_project_bin(vba_modules(udf_module))
    return parts


def zip_parts(parts: dict[str, bytes]) -> bytes:
    """A deterministic zip: sorted names, fixed timestamps and attributes, deflate."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(parts):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, parts[name], compresslevel=9)
    return buffer.getvalue()


def _write(out_path: Path, default_name: str, data: bytes) -> Path:
    out_path = Path(out_path)
    if out_path.is_dir() or not out_path.suffix:
        out_path = out_path / default_name
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_bytes(data)
    except OSError as exc:
        raise AddinBuildError(f"cannot write {out_path}: {exc.strerror}") from exc
    return out_path


def build_addin(out_path: Path, *, udf_module: str = UDF_MODULE) -> Path:
    """Write the add-in; return its path. A folder (or a path without suffix) gets xlkpi.xlam.

    ``udf_module`` is the importable Python module whose UDFs get VBA wrappers.
    """
    parts = package_parts(CT_ADDIN, udf_module)
    return _write(out_path, ADDIN_FILENAME, zip_parts(parts))


def build_xlsm(out_path: Path, *, udf_module: str = UDF_MODULE) -> Path:
    """Write a macro-enabled workbook with the same VBA project and ribbon; return its path."""
    parts = package_parts(CT_XLSM, udf_module)
    return _write(out_path, "xlkpi.xlsm", zip_parts(parts))


def _xlwings_command(*args: str) -> list[str]:
    """Run xlwings' CLI with the current interpreter (the one xlkpi is installed in)."""
    code = "import sys; from xlwings.cli import main; sys.argv[0] = 'xlwings'; sys.exit(main())"
    return [sys.executable, "-c", code, *args]


def install_addin(
    addin_path: Path,
    *,
    platform: str = sys.platform,
    run: Callable[..., subprocess.CompletedProcess[bytes]] = subprocess.run,
    echo: Callable[[str], None] = print,
) -> bool:
    """Install the add-in into Excel with ``xlwings addin install -f <path>``.

    Also runs ``xlwings config create``, which writes the user's xlwings config with this
    Python as interpreter unless the file already exists. Returns True once installed; on a
    system without desktop Excel (anything but Windows and macOS) prints what it would do and
    returns False. Raises AddinInstallError if the add-in is missing or xlwings fails.
    """
    addin_path = Path(addin_path).resolve()
    if not addin_path.is_file():
        raise AddinInstallError(f"{addin_path} does not exist; build it with `xlkpi addin build`")
    commands = [
        _xlwings_command("addin", "install", "-f", str(addin_path)),
        _xlwings_command("config", "create"),
    ]
    if not (platform.startswith("win") or platform == "darwin"):
        echo(
            f"Would run `xlwings addin install -f {addin_path}` (copies the add-in into Excel's "
            "XLSTART folder) and `xlwings config create` (points xlwings at this Python).\n"
            f"Cannot do that here: this system is {platform!r} and Excel runs only on Windows and "
            "macOS; xlwings asks Excel itself where its startup folder is.\n"
            f"Copy {addin_path.name} to the Windows or Mac computer and follow docs/addin.md."
        )
        return False
    for command in commands:
        result = run(command, check=False)
        if result.returncode != 0:
            shown = " ".join(command[3:])
            raise AddinInstallError(
                f"`xlwings {shown}` failed (exit code {result.returncode}); is Excel installed "
                "and closed? See docs/addin.md"
            )
    echo(f"Installed {addin_path.name}; restart Excel to see the 绩效薪酬 (xlkpi) tab.")
    return True
