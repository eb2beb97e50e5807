"""The UDFs: scalar and column calls, blanks, error texts, policy ranges, the engine rules."""

from __future__ import annotations

import inspect
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import udfs
from udfs import (
    AMOUNT,
    ATTENDANCE_BONUS,
    BONUS_RATIO,
    COMMISSION,
    COMPLAINT_FINE,
    CS_RANK,
    DISCIPLINE_POINTS,
    GRADE,
    GRADE_BONUS,
    GROUP_BONUS,
    LEVEL_SHARE,
    LOGISTICS_BEHAVIOUR,
    LOGISTICS_RESULTS,
    LOGISTICS_SCORE,
    MONEY_SUM,
    NET_SALES,
    OVERTIME_PAY,
    PAY_EXPLAIN,
    PERF_BONUS,
    PERF_COEFF,
    POOL_SHARE,
    PUBLIC_SHARE,
    REVIEW_PAY,
    SCORECARD_TOTAL,
    SENIORITY_PAY,
    SHOP_COMPLETION,
    SHOP_POOL,
    STREAK_REWARD,
    TASK_COEFF,
    TASK_PAY,
    TEAM_AVERAGE_SHARE,
    TEAM_COMMISSION,
    TEAM_SALES,
    TEAM_SHARE,
    WEIGHTED_SCORE,
    WORK_AWARD,
    YEAR_END_BONUS,
)
from xlkpi import rules
from xlkpi.addin.udf_wrappers import udf_specs
from xlkpi.inputs import Shop
from xlkpi.policy_io import default_policy


def dec(value: object) -> Decimal:
    return Decimal(repr(value))


def test_every_udf_is_exported_with_a_bilingual_one_line_docstring() -> None:
    for name in udfs.__all__:
        fn = getattr(udfs, name)
        doc = inspect.getdoc(fn) or ""
        assert "\n" not in doc.strip(), name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in doc), name
        assert any(ch.isascii() and ch.isalpha() for ch in doc), name


def test_no_udf_is_named_like_an_excel_worksheet_function() -> None:
    """Excel's own function wins over a UDF of the same name (issue 11: RANK was uncallable)."""
    listing = Path(__file__).parent / "data" / "excel_worksheet_functions.txt"
    builtins = {
        line.strip().upper()
        for line in listing.read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"RANK", "SUM", "ROUND", "XLOOKUP"} <= builtins and len(builtins) > 450
    clashes = sorted(name for name in udfs.__all__ if name.upper() in builtins)
    assert clashes == []


def test_the_vba_wrapper_generator_reads_every_udf() -> None:
    names = {spec.name for spec in udf_specs(udfs)}
    assert names == set(udfs.__all__)


@pytest.mark.parametrize("score", [0, 64.99, 65, 79.9, 80, 94, 95, 120])
def test_perf_coeff_equals_the_rule(score: float) -> None:
    assert dec(PERF_COEFF(score)) == rules.perf_coeff(score)


def test_scalar_in_scalar_out_column_in_column_out() -> None:
    assert PERF_COEFF(85) == 1.2
    assert PERF_COEFF([[60], [80], [95]]) == [[0.5], [1.2], [1.5]]
    assert PERF_COEFF([60, 80]) == [[0.5], [1.2]]
    assert COMMISSION([[25000], [35000], [70000], [100000]]) == [
        [300.0],
        [550.0],
        [2000.0],
        [3900.0],
    ]


def test_scalars_broadcast_over_a_column() -> None:
    assert PERF_BONUS(3000, [[75], [95]]) == [[360.0], [600.0]]


def test_blank_input_gives_blank_never_a_number() -> None:
    assert PERF_COEFF(None) is None
    assert PERF_COEFF("") is None
    assert PERF_COEFF([[80], [None]]) == [[1.2], [None]]
    assert ATTENDANCE_BONUS(3000, None, 0) is None
    assert AMOUNT("  ") is None


def test_not_applicable_is_read_as_blank() -> None:
    # a cell the row's plan does not read holds 不适用 (or N/A): a blank, never an error
    assert NET_SALES("不适用", " 不适用 ", 0) is None
    assert NET_SALES("N/A", "N/A", 0) is None
    assert AMOUNT("不适用") is None
    assert PERF_COEFF("不适用的").startswith("#输入错误")  # only the marker itself


def test_bad_input_is_a_readable_error_text() -> None:
    text = PERF_COEFF(130)
    assert text.startswith("#输入错误: score为130：分数必须在0到120之间")
    assert COMMISSION(-5).startswith("#输入错误: sales为-5：不能为负数")
    assert PERF_COEFF("abc").startswith("#输入错误: score为'abc'，不是数字")


def test_an_error_value_in_a_cell_is_passed_on() -> None:
    assert PERF_COEFF("#N/A") == "#N/A"
    assert PERF_BONUS(3000, "#输入错误: x") == "#输入错误: x"


def test_a_bad_policy_range_is_a_policy_error_text() -> None:
    assert PERF_COEFF(85, [[0, 0.5], [50, -2]]).startswith("#参数错误: perf_coeff")


def test_optional_policy_ranges_change_the_answer() -> None:
    tiers = [["factor", None], ["lower", None], [0, 0.5], [60, 1], [85, 2]]
    assert PERF_COEFF(85) == 1.2
    assert PERF_COEFF(85, tiers) == 2.0
    assert PERF_COEFF(110, None, 100).startswith("#输入错误")
    assert BONUS_RATIO(85, [[0, 0], [50, 1]]) == 1.0
    assert PERF_BONUS(3000, 85, None, 0.3) == 900.0
    five_step = [[0, 0], [60, 0.4], [70, 0.6], [80, 0.8], [90, 1]]  # the policy's alternative
    assert PERF_BONUS(3000, 85, five_step) == 480.0
    assert COMMISSION(38000, [[0, 0.02]]) == 760.0
    assert COMMISSION(9000, [[5000, None], [0, 0.01]]) == 90.0
    assert COMMISSION(38000, None, 50000) == 0.0
    assert ATTENDANCE_BONUS(3000, 2, 0, 0.2) == 600.0
    assert ATTENDANCE_BONUS(3000, 2, 0, None, 2) == 0.0
    assert REVIEW_PAY(3, 1, 15, 30) == 75.0
    assert OVERTIME_PAY(3, None, None, 2) == 30.0
    assert COMPLAINT_FINE(2, [[30], [60]]) == 90.0
    assert GRADE(85, [[60], [70], [85]]) == "优秀"
    assert GROUP_BONUS(0.7, [[0, 100], [0.6, 200]]) == 200.0
    assert WEIGHTED_SCORE(80, 100, 0.5, 0.5) == 90.0


def test_attendance_bonus_adds_a_row_of_counts() -> None:
    assert ATTENDANCE_BONUS(3000, [[1, 1, 0]], 0) == 300.0
    assert ATTENDANCE_BONUS(3000, [[1, 1, 1]], 0) == 0.0
    for lates, absences in [(0, 0), (2, 0), (3, 0), (0, 1), (0, 0.5)]:
        assert dec(ATTENDANCE_BONUS(3000, lates, absences)) == rules.attendance_bonus(
            3000, lates, dec(absences)
        )


def test_rules_equal_the_engine_rules() -> None:
    assert dec(BONUS_RATIO(85)) == rules.bonus_ratio(85)
    assert dec(PERF_BONUS(4321.5, 77)) == rules.perf_bonus(Decimal("4321.5"), 77)
    for sales in (0, 9999.99, 10000, 25000, 123456.78):
        assert dec(COMMISSION(sales)) == rules.commission(dec(sales))
    assert dec(REVIEW_PAY(3, 2)) == rules.review_pay(3, 2)
    assert dec(WEIGHTED_SCORE(83, 91)) == rules.weighted_score(83, 91)
    assert dec(GROUP_BONUS(0.8)) == rules.group_bonus(Decimal("0.8"))
    assert dec(YEAR_END_BONUS(13, [[1.2], [1.0], [1.5]])) == rules.year_end_bonus(
        13, [Decimal("1.2"), Decimal("1.0"), Decimal("1.5")]
    )
    assert YEAR_END_BONUS(13, [[1.2], [None]], None, None, "是") == 0.0  # regular staff only
    assert dec(COMMISSION(22000, [[0, 0.0375], [20000, 0.055], [25000, 0.04]])) == Decimal(860)
    assert dec(OVERTIME_PAY(6)) == rules.overtime_pay(6)
    assert dec(COMPLAINT_FINE(3)) == rules.complaint_fine(3)
    assert GRADE(85) == "良好"
    hired = date(2020, 3, 15)
    assert dec(SENIORITY_PAY(hired, "2026-10", 200)) == rules.seniority_pay(
        hired, "2026-10", Decimal(200)
    )


def test_seniority_takes_dates_serials_text_and_plans() -> None:
    assert SENIORITY_PAY("2020-03-01", "2026-10", "运营专员") == 300.0
    assert SENIORITY_PAY(43891, "2026-10", 50) == 300.0  # 2020-03-01 as an Excel serial
    assert SENIORITY_PAY(date(2020, 3, 1), "2026-10") == 1200.0  # default: warehouse 200/yr
    assert SENIORITY_PAY("2020-03-01", "October", 50).startswith("#输入错误")


def test_team_commission_returns_the_members_column_adding_up_to_the_pool() -> None:
    shares = TEAM_COMMISSION(100001, 100000, 3)
    expected = rules.team_commission(100001, 100000, 3)
    assert [dec(s[0]) for s in shares] == expected
    assert sum(expected) == rules.team_pool(100001, 100000)
    assert [TEAM_SHARE(100001, 100000, 3, i) for i in (1, 2, 3)] == [s[0] for s in shares]
    assert TEAM_SHARE(100001, 100000, 3, 4).startswith("#输入错误: 位置为4")
    assert TEAM_SHARE(100001, "", 3, 1).startswith("#输入错误: 团队目标为空")


def test_team_sales_sums_pool_members_of_the_team() -> None:
    teams = [["A"], ["A"], ["B"], ["A"]]
    plans = [["电商部客服"], ["美工"], ["电商部客服"], ["ecom_cs"]]
    sales = [[100.1], [999], [50], [0.2]]
    assert TEAM_SALES("A", teams, plans, sales) == 100.3
    assert TEAM_SALES([["A"], ["B"]], teams, plans, sales) == [[100.3], [50.0]]


def test_team_sales_of_three_arguments_sums_every_row_naming_the_team() -> None:
    """The 工资表's _团队 helper names the team of pool members only (blank for the others),
    so 团队目标's one array formula hands over no plan column."""
    members = [["A"], [None], ["B"], ["A"], [""]]
    sales = [[100.1], [999], [50], [0.2], [7]]
    assert TEAM_SALES("A", members, sales) == 100.3
    assert TEAM_SALES([["A"], ["B"], ["C"]], members, sales) == [[100.3], [50.0], [0.0]]
    assert TEAM_SALES("B", [["B"]], [[-5]]) == 0.0  # negative team sales count as 0
    assert str(TEAM_SALES("A", members, sales[:2])).startswith("#输入错误")


def test_shop_pool_shares_and_group_completion_equal_the_engine() -> None:
    sales, targets, groups = [[120000.67], [50000]], [[100000], [100000]], [["一组"], ["二组"]]
    shops = [
        Shop("a", Decimal("120000.67"), target=Decimal(100000), group="一组"),
        Shop("b", Decimal(50000), target=Decimal(100000), group="二组"),
    ]
    assert dec(SHOP_POOL(sales, targets)) == rules.department_pool(shops) == Decimal("2550.01")
    assert dec(SHOP_COMPLETION(sales, targets)) == rules.shops_completion(shops)
    assert SHOP_COMPLETION(sales, targets, groups, [["一组"], ["二组"]]) == [
        [1.2000067],
        [0.5],
    ]
    assert [POOL_SHARE(2550.01, 3, i) for i in (1, 2, 3)] == [850.01, 850.0, 850.0]
    assert LEVEL_SHARE(300.55, 3, "副理") == 90.17  # 300.55 × 90% ÷ 3 = 90.165, rounded once
    assert LEVEL_SHARE(300.55, 0, "员工") == 0.0
    assert SHOP_COMPLETION([[1]], [[None]]).startswith("#输入错误: 店铺")


def test_awards_logistics_links_and_reference_scores() -> None:
    assert [WORK_AWARD(t) for t in ("tier1", "二档", "三档")] == [300.0, 400.0, 500.0]
    assert WORK_AWARD("三档", 310, 410, 510) == 510.0  # the 参数 sheet's three amounts
    assert [GRADE_BONUS(g) for g in ("不及格", "及格", "良好", "excellent")] == [0, 300, 400, 500]
    assert LOGISTICS_RESULTS(6000, 90000, 100000, 5) == 810.0  # 6,000 × 15% × 0.9
    assert LOGISTICS_RESULTS(5000, 150000, 100000, 5) == 900.0  # capped at 1.2
    assert LOGISTICS_RESULTS(5555.55, None, None, 0) == 833.33  # under one month: × 1
    assert LOGISTICS_BEHAVIOUR(6000, 1.2, 5) == 360.0
    assert LOGISTICS_BEHAVIOUR(6000, 1.3, 5).startswith("#输入错误: 行为考核系数")
    assert LOGISTICS_SCORE(90, 80) == 86.0  # 60% + 40%
    assert LOGISTICS_SCORE(90, 80, 0.7, 0.3) == 87.0  # 7 : 3
    assert DISCIPLINE_POINTS(1, 3, 1, 1, 1) == 6.0  # 1 + 1 + 1 + 1 + 2


def test_scorecard_score_is_points_over_full_points() -> None:
    weights = [[30], [30], [5], [5], [5], [5], [5]]
    full = [[30, 30, 5, 5, 5, 5, 5]]
    assert SCORECARD_TOTAL(full, weights, None, None, 85, 100) == 100.0  # 85 of 85 → 100
    assert SCORECARD_TOTAL(full, weights) == 85.0  # without full points: the points


def test_team_average_share_is_the_levels_share_of_the_average_rounded_once() -> None:
    pool = rules.team_pool(100001, 100000)
    expected = (pool * Decimal("0.9") / 3).quantize(Decimal("0.01"))
    assert dec(TEAM_AVERAGE_SHARE(100001, 100000, 3, "副理")) == expected
    # 30,055 of 40,000 (75%) → pool 300.55; × 90% ÷ 3 = 90.165 → 90.17 (not 90.16)
    assert TEAM_AVERAGE_SHARE(30055, 40000, 3, "副理") == 90.17
    assert TEAM_AVERAGE_SHARE(0, "", 0, "员工") == 0.0
    assert TEAM_AVERAGE_SHARE(1, 1, 1, "经理").startswith("#输入错误: 级别为经理")


def test_public_share_is_rounded_once() -> None:
    # 12,345.67 × 1% ÷ 4 = 30.864175 → 30.86 (rounding the pool first would give 30.87)
    assert PUBLIC_SHARE(12345.67, 4) == 30.86
    # 1,234.50 × 1% ÷ 2 = 6.1725 → 6.17
    assert PUBLIC_SHARE(1234.5, 2) == 6.17


def test_task_pay_follows_the_store_manager_plan() -> None:
    assert TASK_PAY(1.2, None, None) == 2160.0
    assert TASK_PAY(None, 250001, 200000) == 2250.01  # 1,800 × 1.250005, rounded once
    assert TASK_PAY(None, 246912, 200000) == 2222.21  # 1,800 × 1.23456 = 2,222.208
    assert TASK_PAY(None, 500000, 200000) == 2700.0  # capped at 1.5
    assert TASK_PAY(None, 1, None).startswith("#输入错误: 任务完成系数和个人目标都为空")
    assert TASK_COEFF(1.2, None, None) == 1.2
    assert TASK_COEFF(None, 246912, 200000) == 1.23456  # the coefficient TASK_PAY multiplies
    assert TASK_COEFF(None, 500000, 200000, 1.4) == 1.4  # capped
    assert TASK_COEFF(None, 1, None).startswith("#输入错误: 任务完成系数和个人目标都为空")


def test_scorecard_total_caps_items_and_adds_bonus_points() -> None:
    weights = [[10], [40], [20]]
    assert SCORECARD_TOTAL([[12, 30, 20]], weights) == 60.0
    assert SCORECARD_TOTAL([[10, 40, 20]], weights, [[0], [5], [0]], 3) == 73.0
    assert SCORECARD_TOTAL([[None, None, None]], weights) is None
    assert SCORECARD_TOTAL([[10, None, 20]], weights).startswith("#输入错误: item 2 points")


def test_streak_reward_needs_n_excellent_months_in_a_row() -> None:
    months = [["2026-08"], ["2026-09"], ["2026-09"]]
    ids = [["E1"], ["E1"], ["E2"]]
    grades = [["优秀"], ["excellent"], ["良好"]]
    args = (months, ids, grades)
    assert STREAK_REWARD("E1", "2026-10", "优秀", "客服(2017标准)", *args) == 200.0
    assert STREAK_REWARD("E2", "2026-10", "优秀", "客服(2017标准)", *args) == 0.0
    assert STREAK_REWARD("E1", "2026-10", "良好", "客服(2017标准)", *args) == 0.0
    assert STREAK_REWARD("E1", "2026-10", "优秀", "美工", *args) == 0.0


def test_rank_gives_the_rung_due_or_the_current_one() -> None:
    assert CS_RANK("试用", 3, 85) == "铁牌"
    assert CS_RANK("trial", 1, 85) == "试用"
    assert CS_RANK("铁牌", 3, 85, False) == "铁牌"


def test_pay_explain_and_money_sum() -> None:
    text = PAY_EXPLAIN([["基本工资", "全勤奖", "处罚", "提成"]], [[3000, 300, -50, None]], 3250)
    assert text == "基本工资 3,000.00 + 全勤奖 300.00 − 处罚 50.00 = 3,250.00"
    assert PAY_EXPLAIN([["a"]], [["#VALUE!"]]) == "#VALUE!"
    assert MONEY_SUM([[0.1], [0.2]]) == 0.3
    assert MONEY_SUM([[1], [None]]).startswith("#输入错误: row 2")
    assert MONEY_SUM([[1], ["#VALUE!"]]) == "#VALUE!"


def test_default_policy_is_what_absent_arguments_mean() -> None:
    p = default_policy()
    assert dec(PERF_COEFF(95)) == p.perf_coeff.value(Decimal(95))
