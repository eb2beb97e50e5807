"""xlkpi's Excel functions (xlwings UDF module ``udfs``): thin adapters over xlkpi.rules.

Every function takes single cells or whole columns (scalars broadcast; a column in gives a
column out), optional Policy-sheet ranges (absent → the shipped default policy), returns
blank for blank input and a readable ``#输入错误: …`` text for bad input.
"""

from udfs.explain import PAY_EXPLAIN
from udfs.pay import (
    AMOUNT,
    ATTENDANCE_BONUS,
    COMMISSION,
    COMPLAINT_FINE,
    CONDUCT_FINE,
    LINE,
    MONEY_SUM,
    NET_SALES,
    OVERTIME_PAY,
    PERF_BONUS,
    REVIEW_PAY,
    SCORE_PAY,
    STRICT_ATTENDANCE,
    SUM_COUNTS,
    TASK_PAY,
    TRIAL_BASE,
    WAREHOUSE_APPRAISAL,
)
from udfs.scores import (
    BONUS_RATIO,
    CS_ATTENDANCE_ITEM,
    GRADE,
    PERF_COEFF,
    RANK,
    SCORECARD_TOTAL,
    WEIGHTED_SCORE,
)
from udfs.service import SENIORITY_PAY, SERVICE_MONTHS, STREAK_REWARD, YEAR_END_BONUS
from udfs.team import (
    COMPLETION,
    GROUP_BONUS,
    PUBLIC_SHARE,
    TEAM_AVERAGE_SHARE,
    TEAM_COMMISSION,
    TEAM_SALES,
    TEAM_SHARE,
)

__all__ = [
    "AMOUNT",
    "ATTENDANCE_BONUS",
    "BONUS_RATIO",
    "COMMISSION",
    "COMPLAINT_FINE",
    "COMPLETION",
    "CONDUCT_FINE",
    "CS_ATTENDANCE_ITEM",
    "GRADE",
    "GROUP_BONUS",
    "LINE",
    "MONEY_SUM",
    "NET_SALES",
    "OVERTIME_PAY",
    "PAY_EXPLAIN",
    "PERF_BONUS",
    "PERF_COEFF",
    "PUBLIC_SHARE",
    "RANK",
    "REVIEW_PAY",
    "SCORECARD_TOTAL",
    "SCORE_PAY",
    "SENIORITY_PAY",
    "SERVICE_MONTHS",
    "STREAK_REWARD",
    "STRICT_ATTENDANCE",
    "SUM_COUNTS",
    "TASK_PAY",
    "TEAM_AVERAGE_SHARE",
    "TEAM_COMMISSION",
    "TEAM_SALES",
    "TEAM_SHARE",
    "TRIAL_BASE",
    "WAREHOUSE_APPRAISAL",
    "WEIGHTED_SCORE",
    "YEAR_END_BONUS",
]
