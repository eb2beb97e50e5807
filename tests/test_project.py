"""The project's promises about itself: README commands, CI, licences of what we ship."""

from __future__ import annotations

import re
import shlex
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README.md must open with a bash block of commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_the_two_commands() -> None:
    first, second = _readme_commands()[:2]
    assert "xlkpi demo" in first and "pip install" in first
    assert "pytest" in second and '".[test]"' in second


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    test_command = _readme_commands()[1]
    for step in test_command.split("&&"):
        assert step.strip() in ci, f"CI does not run the README step {step.strip()!r}"


def _monthly_cycle() -> list[str]:
    """The commands of the README's monthly-cycle block (comments dropped)."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## The monthly cycle", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the monthly cycle needs its bash block"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_monthly_cycle_works_as_written_after_the_install(tmp_path: Path) -> None:
    """Issue 9: the block activates the install command's venv first, every `xlkpi` line is a
    command the CLI accepts as written, and the first one (a template month) runs."""
    from xlkpi import cli

    first, *commands = _monthly_cycle()
    assert first == "source .venv/bin/activate"  # the venv the install command made
    install = _readme_commands()[0]
    assert install.startswith("python3 -m venv .venv") and ".venv/bin/xlkpi" in install
    lines = [c for c in commands if c.startswith("xlkpi ")]
    assert len(lines) >= 6
    parser = cli._parser()
    for line in lines:
        args = parser.parse_args(shlex.split(line)[1:])
        assert args.command in cli.COMMANDS, line
    template = next(line for line in lines if "--template" in line)
    book = str(tmp_path / "2026-11.xlsx")
    argv = [w.replace("2026-11.xlsx", book) for w in shlex.split(template)]
    assert cli.main(["--no-progress", *argv[1:]]) == 0
    assert cli.main(["--no-progress", "check", book]) in (0, 1)  # problems or none: not an error


def _runtime_closure() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    todo = [Requirement(r) for r in project["dependencies"]]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = req.name.lower()
        if name in seen or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        for sub in metadata.requires(req.name) or []:
            todo.append(Requirement(sub))
    return seen


def _licence_text(name: str) -> str:
    meta = metadata.metadata(name)
    parts = [meta.get("License-Expression") or "", (meta.get("License") or "")[:200]]
    parts += [c for c in meta.get_all("Classifier") or [] if c.startswith("License")]
    return " | ".join(p for p in parts if p)


def test_runtime_dependencies_are_permissively_licensed() -> None:
    """Companies ship this internally: nothing GPL or AGPL may be installed with it."""
    closure = _runtime_closure()
    assert {"pydantic", "openpyxl", "xlwings"} <= closure
    copyleft = {}
    for name in sorted(closure):
        text = _licence_text(name)
        if re.search(r"\b(A|L)?GPL\b|General Public License", text):
            copyleft[name] = text
    assert not copyleft, f"copyleft runtime dependencies: {copyleft}"
