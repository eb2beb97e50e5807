"""xlkpi's Excel functions (xlwings UDF module ``udfs``): thin adapters over xlkpi.rules.

Every function takes single cells or whole columns (scalars broadcast; a column in gives a
column out), optional Policy-sheet ranges (absent → the shipped default policy), returns
blank for blank input and a readable ``#输入错误: …`` text for bad input.
"""

from udfs.ecom import (
    GRADE_BONUS,
    LEVEL_SHARE,
    POOL_SHARE,
    SHOP_COMPLETION,
    SHOP_POOL,
    WORK_AWARD,
)
from udfs.explain import PAY_EXPLAIN
from udfs.pay import (
    AMOUNT,
    ATTENDANCE_BONUS,
    COMMISSION,
    COMPLAINT_FINE,
    CONDUCT_FINE,
    LINE,
    LOGISTICS_BEHAVIOUR,
    LOGISTICS_RESULTS,
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
    CS_RANK,
    DISCIPLINE_POINTS,
    GRADE,
    LOGISTICS_SCORE,
    PERF_COEFF,
    SCORECARD_TOTAL,
    WEIGHTED_SCORE,
)
from udfs.service import SENIORITY_PAY, SERVICE_MONTHS, STREAK_REWARD, YEAR_END_BONUS
from udfs.table import PAY_TABLE
from udfs.tax import BONUS_TAX, CONTRIBUTION, WITHHOLDING, WITHHOLDING_SCHEDULE
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
    "BONUS_TAX",
    "COMMISSION",
    "COMPLAINT_FINE",
    "COMPLETION",
    "CONDUCT_FINE",
    "CONTRIBUTION",
    "CS_ATTENDANCE_ITEM",
    "CS_RANK",
    "DISCIPLINE_POINTS",
    "GRADE",
    "GRADE_BONUS",
    "GROUP_BONUS",
    "LEVEL_SHARE",
    "LINE",
    "LOGISTICS_BEHAVIOUR",
    "LOGISTICS_RESULTS",
    "LOGISTICS_SCORE",
    "MONEY_SUM",
    "NET_SALES",
    "OVERTIME_PAY",
    "PAY_EXPLAIN",
    "PAY_TABLE",
    "PERF_BONUS",
    "PERF_COEFF",
    "POOL_SHARE",
    "PUBLIC_SHARE",
    "REVIEW_PAY",
    "SCORECARD_TOTAL",
    "SCORE_PAY",
    "SENIORITY_PAY",
    "SERVICE_MONTHS",
    "SHOP_COMPLETION",
    "SHOP_POOL",
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
    "WITHHOLDING",
    "WITHHOLDING_SCHEDULE",
    "WORK_AWARD",
    "YEAR_END_BONUS",
]
