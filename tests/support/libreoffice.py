"""Run headless LibreOffice for tests and benchmarks: convert workbooks, recalculating or not.

Each process gets private LibreOffice profiles (one that recalculates every formula on load, one
that never does) and scratch HOME/TMPDIR folders, so parallel test workers never share state.
``recalculate(src, out_dir)`` is the independent oracle: LibreOffice computes every formula
itself instead of trusting the cached values stored in the file.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1"  # comma, quote, UTF-8, first sheet
RECALC_ALWAYS, RECALC_NEVER = 0, 1  # values of OOXMLRecalcMode

_ITEM = (
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
    '<prop oor:name="{name}" oor:op="fuse"><value>{{mode}}</value></prop></item>'
)
_XCU = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    + _ITEM.format(name="OOXMLRecalcMode")
    + _ITEM.format(name="ODFRecalcMode")
    + "\n</oor:items>\n"
)

_lock = threading.Lock()
_scratch: dict[int, Path] = {}


class SofficeError(RuntimeError):
    """LibreOffice is missing or failed to convert a file."""


def soffice_path() -> str | None:
    """The soffice executable: $XLKPI_SOFFICE, else ``soffice`` or ``libreoffice`` on PATH."""
    configured = os.environ.get("XLKPI_SOFFICE")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_available() -> bool:
    """True when LibreOffice can be run."""
    return soffice_path() is not None


def _scratch_dir() -> Path:
    pid = os.getpid()
    if pid not in _scratch:
        root = Path(tempfile.mkdtemp(prefix=f"xlkpi-lo-{pid}-"))
        for mode, name in ((RECALC_ALWAYS, "recalc"), (RECALC_NEVER, "norecalc")):
            user = root / name / "user"
            user.mkdir(parents=True)
            (user / "registrymodifications.xcu").write_text(_XCU.format(mode=mode), "utf-8")
        (root / "home").mkdir()
        (root / "tmp").mkdir()
        _scratch[pid] = root
        atexit.register(shutil.rmtree, root, True)
    return _scratch[pid]


def convert(
    sources: Sequence[Path],
    out_dir: Path,
    target: str = XLSX_FILTER,
    recalc: bool = True,
    timeout: float = 600,
) -> list[Path]:
    """Convert files with one LibreOffice run; returns the output paths in the order given.

    ``target`` is a ``--convert-to`` argument (``XLSX_FILTER``, ``CSV_FILTER``, "pdf" ...).
    With ``recalc`` every formula is recalculated on load; without, stored values are kept.
    ``out_dir`` must not be a folder holding one of the sources.
    """
    exe = soffice_path()
    if exe is None:
        raise SofficeError(
            "LibreOffice (soffice) not found: install it (apt-get install libreoffice-calc) or "
            "set XLKPI_SOFFICE to the soffice executable"
        )
    sources = [Path(s).resolve() for s in sources]
    out_dir = Path(out_dir).resolve()
    if any(s.parent == out_dir for s in sources):
        raise ValueError(f"out_dir {out_dir} must differ from the folder of the sources")
    if len({s.stem for s in sources}) != len(sources):
        raise ValueError("sources must have distinct file names (outputs are named by stem)")
    out_dir.mkdir(parents=True, exist_ok=True)
    ext = target.split(":", 1)[0]
    outputs = [out_dir / f"{s.stem}.{ext}" for s in sources]
    for out in outputs:
        out.unlink(missing_ok=True)
    with _lock:  # one LibreOffice per profile at a time
        scratch = _scratch_dir()
        profile = scratch / ("recalc" if recalc else "norecalc")
        env = {**os.environ, "HOME": str(scratch / "home"), "TMPDIR": str(scratch / "tmp")}
        cmd = [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            *map(str, sources),
        ]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    missing = [o for o in outputs if not o.exists()]
    if proc.returncode != 0 or missing:
        raise SofficeError(
            f"LibreOffice failed (exit {proc.returncode}); missing outputs: "
            f"{[str(m) for m in missing]}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
        )
    return outputs


def recalculate(src: Path, out_dir: Path, timeout: float = 600) -> Path:
    """Open ``src`` in LibreOffice, recalculate every formula, save as xlsx in ``out_dir``."""
    return convert([src], out_dir, XLSX_FILTER, recalc=True, timeout=timeout)[0]


def recalculate_many(sources: Sequence[Path], out_dir: Path, timeout: float = 600) -> list[Path]:
    """``recalculate`` for several files with a single LibreOffice start-up."""
    return convert(sources, out_dir, XLSX_FILTER, recalc=True, timeout=timeout)


def to_csv(src: Path, out_dir: Path, recalc: bool = False) -> Path:
    """The first sheet of ``src`` as UTF-8 CSV, as LibreOffice shows it (stored values unless
    ``recalc``). Proves LibreOffice can open the file."""
    return convert([src], out_dir, CSV_FILTER, recalc=recalc)[0]


def timed_recalculate(src: Path, out_dir: Path) -> tuple[Path, float]:
    """``recalculate`` and its wall time in seconds, start-up included."""
    t0 = time.perf_counter()
    out = recalculate(src, out_dir)
    return out, time.perf_counter() - t0


def startup_seconds(repeat: int = 3) -> float:
    """Median wall time of converting a one-cell CSV to xlsx: LibreOffice start-up alone.

    The profile is warmed up first (its first use costs several extra seconds).
    """
    with tempfile.TemporaryDirectory() as tmp:
        src_dir, out_dir = Path(tmp, "in"), Path(tmp, "out")
        src_dir.mkdir()
        src = src_dir / "one.csv"
        src.write_text("1\n", "utf-8")
        convert([src], out_dir, XLSX_FILTER, recalc=True)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            convert([src], out_dir, XLSX_FILTER, recalc=True)
            times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def require_soffice() -> None:
    """In tests: skip when LibreOffice is missing locally, fail when CI=true (it must be there)."""
    import pytest

    if soffice_available():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("LibreOffice (soffice) is required on CI but was not found")
    pytest.skip("LibreOffice (soffice) not installed; CI runs this test")
