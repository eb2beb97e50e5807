"""LibreOffice, an independent VBA importer, reads the same modules and code from our project.

LibreOffice refuses every .xlam, so the .xlsm built from the same VBA project is loaded headless
with a private profile and saved as .ods; its ``Basic/<library>/<module>.xml`` parts then hold
each module's code as LibreOffice imported it. LibreOffice drops ``Attribute`` lines and adds
``Rem Attribute VBA_ModuleType=...`` / ``Option VBASupport 1`` (and ``Option ClassModule``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from xlkpi.addin.build import VBA_PROJECT_NAME, build_xlsm, vba_modules

FAKE = "tests.fake_udfs"
NS_SCRIPT = "{http://openoffice.org/2000/script}"
NS_LIBRARY = "{http://openoffice.org/2000/library}"
LO_HEADERS = re.compile(r"Rem Attribute VBA_ModuleType=\w+|Option VBASupport 1|Option ClassModule")
LO_TYPES = {"standard": "normal", "document": "document", "class": "class"}


def _soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is required on CI to check the VBA project")
        pytest.skip("LibreOffice (soffice) is not installed on this machine")
    return found


def _convert_to_ods(soffice: str, source: Path, scratch: Path) -> Path:
    out = scratch / "out"
    for name in ("home", "tmp", "out"):
        (scratch / name).mkdir()
    env = {**os.environ, "HOME": str(scratch / "home"), "TMPDIR": str(scratch / "tmp")}
    command = [
        soffice,
        f"-env:UserInstallation={(scratch / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--convert-to",
        "ods",
        "--outdir",
        str(out),
        str(source),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    converted = out / f"{source.stem}.ods"
    assert converted.is_file(), f"soffice did not convert: {result.stdout}\n{result.stderr}"
    return converted


def _libreoffice_modules(ods: Path) -> tuple[str, dict[str, tuple[str, str]]]:
    """(library name, {module: (module type, code)}) as LibreOffice stored them."""
    with zipfile.ZipFile(ods) as zf:
        libraries = sorted(
            {n.split("/")[1] for n in zf.namelist() if n.endswith("/script-lb.xml")} - {"Standard"}
        )
        assert len(libraries) == 1, libraries
        library = libraries[0]
        index = ET.fromstring(zf.read(f"Basic/{library}/script-lb.xml"))
        names = [e.attrib[f"{NS_LIBRARY}name"] for e in index.iter(f"{NS_LIBRARY}element")]
        modules = {}
        for name in names:
            module = ET.fromstring(zf.read(f"Basic/{library}/{name}.xml"))
            modules[name] = (module.attrib[f"{NS_SCRIPT}moduleType"], module.text or "")
    return library, modules


def _normalise_ours(source: str) -> str:
    lines = source.replace("\r\n", "\n").split("\n")
    return "\n".join(s for s in lines if not s.startswith("Attribute ")).strip("\n")


def _normalise_libreoffice(code: str) -> str:
    lines = code.replace("\r\n", "\n").split("\n")
    return "\n".join(s for s in lines if not LO_HEADERS.fullmatch(s)).strip("\n")


def test_libreoffice_lists_the_same_modules_with_the_same_code(tmp_path: Path) -> None:
    soffice = _soffice()
    xlsm = build_xlsm(tmp_path / "xlkpi.xlsm", udf_module=FAKE)
    library, found = _libreoffice_modules(_convert_to_ods(soffice, xlsm, tmp_path))
    expected = {m.name: m for m in vba_modules(FAKE)}
    assert library == VBA_PROJECT_NAME
    assert set(found) == set(expected)
    for name, module in expected.items():
        module_type, code = found[name]
        assert module_type == LO_TYPES[module.kind], name
        assert code.startswith("Rem Attribute VBA_ModuleType="), name
        assert _normalise_libreoffice(code) == _normalise_ours(module.source), name
    assert "RunPython" in found["RibbonCallbacks"][1]
