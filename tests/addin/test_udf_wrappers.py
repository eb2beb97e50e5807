"""The VBA UDF wrappers, compared with what xlwings' own generate_vba_wrapper writes.

xlwings/udfs.py imports pywin32 at the top, so the oracle runs in a child process with
stand-ins for pythoncom, pywintypes and win32com (none of them is used by the code under test).
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import tests.fake_udfs as fake
from xlkpi.addin.udf_wrappers import generate_udf_module, spec_from_signature, udf_specs
from xlkpi.errors import AddinBuildError

REPO = Path(__file__).resolve().parents[2]

ORACLE = r"""
import io, json, sys, types
pythoncom = types.ModuleType("pythoncom"); pythoncom.CoInitialize = lambda: None
pywintypes = types.ModuleType("pywintypes")
pywintypes.com_error = type("com_error", (Exception,), {})
win32com = types.ModuleType("win32com"); client = types.ModuleType("win32com.client")
client.Dispatch = lambda *a: None; win32com.client = client
sys.modules.update({"pythoncom": pythoncom, "pywintypes": pywintypes,
                    "win32com": win32com, "win32com.client": client})
import xlwings.udfs as xu
from xlkpi.addin.udf_wrappers import generate_udf_module
import tests.fake_udfs as fake

for name in fake.__all__:
    setattr(fake, name, xu.xlfunc(getattr(fake, name)))

extra = types.ModuleType("extra_udfs")
def SLOW(x): return x
def NOW_ISH(): return 1
def LOG_IT(msg): pass
def AT(x, cell): return x
extra.SLOW = xu.xlfunc(call_in_wizard=False)(SLOW)
extra.NOW_ISH = xu.xlfunc(volatile=True)(NOW_ISH)
extra.LOG_IT = xu.xlsub(LOG_IT)
extra.AT = xu.xlarg("cell", vba="Range(\"A1\")")(AT)

class Book:
    def __init__(self, name): self.Name = name

out = {}
for label, module, book in [("fake", fake, "xlkpi.xlam"), ("extra", extra, "xlkpi.xlam"),
                            ("fake_xlsm", fake, "x.xlsm")]:
    buf = io.StringIO()
    xu.generate_vba_wrapper(module.__name__, module, buf, Book(book))
    mine = generate_udf_module(module, addin=book.endswith(".xlam"))
    out[label] = {"xlwings": buf.getvalue(), "xlkpi_metadata": mine}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def oracle() -> dict[str, dict[str, str]]:
    result = subprocess.run(
        [sys.executable, "-c", ORACLE], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _body(module_source: str) -> str:
    """Drop the three header lines (VB_Name, comment, #Const) that import_udfs writes itself."""
    lines = module_source.split("\n")
    assert lines[0].startswith('Attribute VB_Name = "')
    assert lines[2] == """#Const App = "Microsoft Excel" 'Adjust when using outside of Excel"""
    return "\n".join(lines[3:])


def test_signature_fallback_writes_what_xlwings_writes(oracle: dict[str, dict[str, str]]) -> None:
    assert _body(generate_udf_module(fake)) == oracle["fake"]["xlwings"]
    assert _body(generate_udf_module(fake, addin=False)) == oracle["fake_xlsm"]["xlwings"]


def test_xlwings_metadata_path_writes_what_xlwings_writes(
    oracle: dict[str, dict[str, str]],
) -> None:
    for label in ("fake", "extra", "fake_xlsm"):
        assert _body(oracle[label]["xlkpi_metadata"]) == oracle[label]["xlwings"], label
    extra = oracle["extra"]["xlwings"]
    assert "Sub LOG_IT(msg)" in extra and "Application.Volatile" in extra
    assert 'Array(x, Range("A1"))' in extra and "CommandBars" in extra


def test_module_header_and_add_in_workbook() -> None:
    source = generate_udf_module(fake)
    assert source.startswith('Attribute VB_Name = "xlwings_udfs"\n')
    assert (
        'PERF_COEFF = XLPy.CallUDF("tests.fake_udfs", "PERF_COEFF", Array(score), '
        "ActiveWorkbook, Application.Caller)" in source
    )
    assert "Function SCALE(value, Optional factor, Optional offset)" in source
    assert "Function WHO_CALLS(label)" in source  # caller is filled in by xlwings
    assert "helper" not in source


def test_specs_follow_all_and_signatures() -> None:
    specs = {spec.name: spec for spec in udf_specs(fake)}
    assert list(specs) == sorted(fake.__all__)
    assert [a.optional for a in specs["SCALE"].args] == [False, True, True]
    assert specs["TOTAL"].args[1].vararg
    assert [a.name for a in specs["WHO_CALLS"].excel_args] == ["label"]


def test_unsupported_functions_are_refused() -> None:
    def kw_only(a: int, *, b: int) -> int:
        return a + b

    def both(a: int = 1, *rest: int) -> int:
        return a

    for func in (kw_only, both):
        with pytest.raises(AddinBuildError):
            spec_from_signature(func)

    def reserved(end: int) -> int:
        return end

    module = types.ModuleType("m")
    module.__all__ = ["reserved"]  # type: ignore[attr-defined]
    module.reserved = reserved  # type: ignore[attr-defined]
    with pytest.raises(AddinBuildError, match="VBA identifier"):
        udf_specs(module)
    with pytest.raises(AddinBuildError, match="__all__"):
        udf_specs(types.ModuleType("no_all"))
