"""The workbook builds: which formulas a month's workbook carries, and where the choice is kept.

* ``addin`` — the pay lines call the xlkpi functions (``udfs/``, served by the add-in / xlwings);
  Excel recalculates through Python, other hosts show the values ``xlkpi recalc`` stored.
* ``native`` — the pay lines are plain spreadsheet formulas over the 参数 named ranges
  (``workbook_templates/native``), so WPS, LibreOffice, Numbers and Excel recalculate the month
  without the add-in; ``xlkpi recalc`` still stores the engine's values alongside.

The build is stored in the hidden meta sheet under :data:`META_BUILD` (a workbook without the
key is an add-in book: every book written before the key existed was one).
"""

from __future__ import annotations

from collections.abc import Mapping

ADDIN = "addin"
NATIVE = "native"
BUILDS: tuple[str, ...] = (ADDIN, NATIVE)
DEFAULT_BUILD = ADDIN
META_BUILD = "build"  # the meta sheet's key (column A) whose value (column B) is the build


def check_build(build: str) -> str:
    """``build`` if it is one of :data:`BUILDS`, else ValueError naming the choices."""
    if build not in BUILDS:
        raise ValueError(f"unknown build {build!r}; choose one of {', '.join(BUILDS)}")
    return build


def build_of(meta: Mapping[str, str]) -> str:
    """The build a workbook's meta values record (an unknown or missing value: the add-in)."""
    value = str(meta.get(META_BUILD, "") or "").strip()
    return value if value in BUILDS else DEFAULT_BUILD


def conversion_allowed(current: str, wanted: str) -> bool:
    """Whether new-month may turn a ``current`` book into a ``wanted`` one.

    add-in → native is allowed: every formula the native build needs is rewritten (scorecard
    totals, weighted scores, team sales, the Payroll at the next recalc). native → add-in is
    refused: a native book may have been edited in a host that cannot run the add-in.
    """
    return current == wanted or (current, wanted) == (ADDIN, NATIVE)


__all__ = [
    "ADDIN",
    "BUILDS",
    "DEFAULT_BUILD",
    "META_BUILD",
    "NATIVE",
    "build_of",
    "check_build",
    "conversion_allowed",
]
