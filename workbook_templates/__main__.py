"""Rebuild the shipped template: ``python -m workbook_templates [path]``."""

from __future__ import annotations

import sys
from pathlib import Path

from workbook_templates import TEMPLATE_FILE, build_workbook


def main(argv: list[str]) -> int:
    """Build the empty template (default policy) at ``argv[0]`` or next to this package."""
    target = Path(argv[0]) if argv else Path(__file__).with_name(TEMPLATE_FILE)
    print(build_workbook(target))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
