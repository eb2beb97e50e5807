"""xlkpi: KPI appraisal scores and monthly pay for small e-commerce companies.

The engine is pure Python and needs no Excel: build a :class:`Month` (roster, inputs,
team targets, history), call :func:`compute_month` with a :class:`Policy` (default: the
documents' policy), and read each employee's pay lines, total, trace and alerts. The
building blocks below are the functions Excel's UDFs mirror.
"""

from xlkpi.engine import EmployeeResult, MonthResult, compute_month
from xlkpi.errors import (
    InputError,
    InvalidNumberError,
    MissingValueError,
    OutOfRangeError,
    PolicyError,
    WorkbookError,
    XlkpiError,
)
from xlkpi.history import Alert
from xlkpi.inputs import Employee, HistoryRecord, Month, MonthInput
from xlkpi.paylines import PayLine
from xlkpi.policy import Policy
from xlkpi.policy_io import default_policy
from xlkpi.rules import (
    attendance_bonus,
    bonus_ratio,
    commission,
    grade,
    group_bonus,
    perf_bonus,
    perf_coeff,
    review_pay,
    seniority_pay,
    team_commission,
    weighted_score,
    year_end_bonus,
)
from xlkpi.tax.contributions import contributions
from xlkpi.tax.withholding import bonus_tax, withholding_schedule

__all__ = [
    "Alert",
    "Employee",
    "EmployeeResult",
    "HistoryRecord",
    "InputError",
    "InvalidNumberError",
    "MissingValueError",
    "Month",
    "MonthInput",
    "MonthResult",
    "OutOfRangeError",
    "PayLine",
    "Policy",
    "PolicyError",
    "WorkbookError",
    "XlkpiError",
    "attendance_bonus",
    "bonus_ratio",
    "bonus_tax",
    "commission",
    "compute_month",
    "contributions",
    "default_policy",
    "grade",
    "group_bonus",
    "perf_bonus",
    "perf_coeff",
    "review_pay",
    "seniority_pay",
    "team_commission",
    "weighted_score",
    "withholding_schedule",
    "year_end_bonus",
]
