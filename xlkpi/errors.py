"""Every error xlkpi raises on purpose, in one hierarchy.

    XlkpiError                    anything xlkpi reports to a person (never a traceback)
    ├── InputError                a value handed to the engine is not acceptable
    │   ├── MissingValueError     blank where a value is required (never read as 0)
    │   ├── InvalidNumberError    not a number (text, a date, a bool ...)
    │   └── OutOfRangeError       a number outside what the policy allows
    ├── PolicyError               the policy is inconsistent; names the key path
    ├── WorkbookError             a workbook cannot be used as it is
    │   ├── WorkbookLockedError   the file is open in Excel (its ~$ lock file exists)
    │   ├── WorkbookBusyError     another xlkpi process holds the workbook's lock
    │   ├── WorkbookTooLargeError the file would make us allocate too much (zip bomb, huge grid)
    │   ├── FileWriteError        a file cannot be written (read-only, folder missing, disk full)
    │   ├── SealedMonthError      the month is closed; recalc needs --reopen
    │   ├── SealKeyError          the seal key file cannot be used
    │   ├── PasswordsError        payslip passwords missing or listed twice (an input problem)
    │   └── WorkbookValidationError  a list of cell problems found by `xlkpi check`
    ├── AddinBuildError           the add-in cannot be built from its sources
    └── AddinInstallError         the add-in cannot be installed into Excel here

Each message says what is wrong, with the offending value, and what is allowed.
``exit_code`` is what the command line exits with: 1 for a problem in the input (the person
fixes a cell or a file they typed), 2 for anything else that stopped the command.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class XlkpiError(Exception):
    """Base class: an error meant for a person, with a message that says how to fix it."""

    exit_code = 2


class InputError(XlkpiError, ValueError):
    """A value handed to the engine is not acceptable."""

    exit_code = 1


class MissingValueError(InputError):
    """A required value is blank. Blank is never read as zero."""


class InvalidNumberError(InputError):
    """A value that should be a number is not one."""


class OutOfRangeError(InputError):
    """A number lies outside the range the policy allows."""


class PolicyError(XlkpiError):
    """The policy is inconsistent. ``path`` is the key path, e.g. ``perf_coeff.brackets[2]``.

    ``texts`` holds the message in each language (``text(lang)``); an error found on the 参数
    sheet also names its ``cell`` and ``value``, with ``detail`` (what is wrong) and ``remedy``
    per language, so a reader can show them in the workbook's language.
    """

    def __init__(
        self,
        message: str,
        path: str = "",
        *,
        texts: Mapping[str, str] | None = None,
        cell: str = "",
        value: object = None,
        detail: Mapping[str, str] | None = None,
        remedy: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.texts = dict(texts or {})
        self.cell, self.value = cell, value
        self.detail, self.remedy = dict(detail or {}), dict(remedy or {})

    def text(self, lang: str) -> str:
        """The message in ``lang`` (the message as raised when it has no such text)."""
        return self.texts.get(lang, str(self))


class WorkbookError(XlkpiError):
    """A workbook cannot be used as it is (missing sheet, not a workbook, corrupted ...)."""


class WorkbookLockedError(WorkbookError):
    """The workbook is open in Excel (its ``~$`` lock file exists)."""


class WorkbookBusyError(WorkbookError):
    """Another xlkpi process is working on the workbook (its ``.xlkpi-lock`` file is live)."""


class WorkbookTooLargeError(WorkbookError):
    """Reading the file would allocate more than the limits allow (a zip bomb, a huge grid)."""


class FileWriteError(WorkbookError):
    """A file cannot be written: read-only, its folder missing or read-only, the disk full."""


class SealKeyError(WorkbookError):
    """The key file of a keyed seal cannot be read or is too short."""


class PasswordsError(WorkbookError):
    """Payslip passwords are missing or an id is listed twice: the person fixes their input."""

    exit_code = 1


class SealedMonthError(WorkbookError):
    """The month was closed with ``xlkpi close``; reopen it explicitly to change it."""


@dataclass(frozen=True)
class CellProblem:
    """One problem at one cell: where, what was found, what to do about it."""

    sheet: str
    cell: str
    value: object
    message: str
    remedy: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell} = {self.value!r}: {self.message}. {self.remedy}"


class WorkbookValidationError(WorkbookError):
    """Several cell problems at once, as `xlkpi check` reports them."""

    exit_code = 1

    def __init__(self, problems: list[CellProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the workbook:\n{lines}")


class AddinBuildError(XlkpiError):
    """The Excel add-in cannot be built from its sources."""


class AddinInstallError(XlkpiError):
    """The add-in cannot be installed (missing file, xlwings failed, no Excel here)."""
