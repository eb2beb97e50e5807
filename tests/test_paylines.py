"""Pay lines and the one-line trace: what is shown, in what order, and how deductions read."""

from __future__ import annotations

from decimal import Decimal

from xlkpi.paylines import LINE_CODES, LINE_LABELS, PayLine, total_of, trace

ONE = Decimal(1)


def line(code: str, amount: str, term: str) -> PayLine:
    value = Decimal(amount)
    return PayLine(code, abs(value), ONE, ONE if value >= 0 else -ONE, value, term)


def test_trace_of_the_documents_example() -> None:
    lines = [
        line("base", "600.00", "500 × 1.2"),
        line("commission", "760.00", "2% × 38,000.00"),
        line("review_neutral", "30.00", "3 × 10"),
        line("review_negative", "20.00", "1 × 20"),
        line("penalties", "0.00", ""),
    ]
    total = total_of(lines)
    assert total == Decimal("1410.00")
    assert trace(lines, total) == "500 × 1.2 + 2% × 38,000.00 + 3 × 10 + 1 × 20 = 1,410.00"


def test_deductions_read_with_a_minus_sign() -> None:
    lines = [line("base", "4000.00", "4,000.00"), line("penalties", "-50.00", "50.00")]
    assert trace(lines, total_of(lines)) == "4,000.00 − 50.00 = 3,950.00"


def test_a_leading_deduction_has_no_space_after_the_sign() -> None:
    lines = [line("base", "0.00", ""), line("losses", "-30.00", "30.00")]
    assert trace(lines, total_of(lines)) == "−30.00 = -30.00"


def test_zero_lines_are_left_out_and_an_empty_pay_reads_zero() -> None:
    assert trace([line("base", "0.00", ""), line("rewards", "0.00", "")], Decimal("0.00")) == (
        "0 = 0.00"
    )


def test_a_cancelled_line_says_why() -> None:
    lines = [
        line("base", "3000.00", "3,000.00"),
        PayLine(
            "attendance", Decimal(3000), ONE, Decimal(0), Decimal("0.00"), "全勤奖取消:旷工1天"
        ),
    ]
    assert trace(lines, total_of(lines)) == "3,000.00 + 0(全勤奖取消:旷工1天) = 3,000.00"


def test_total_is_the_exact_sum_of_rounded_lines() -> None:
    lines = [
        line("base", "0.01", "a"),
        line("commission", "0.02", "b"),
        line("losses", "-0.01", "c"),
    ]
    assert total_of(lines) == Decimal("0.02")
    assert total_of([]) == 0


def test_labels_and_column_order() -> None:
    assert LINE_CODES[:3] == ("base", "post", "seniority")
    assert LINE_CODES[-1] == "losses"
    assert len(set(LINE_CODES)) == len(LINE_CODES)
    for code, (zh, en) in LINE_LABELS.items():
        assert zh and en, code
    first = line("review_neutral", "30.00", "3 × 10")
    assert (first.label_zh, first.label_en) == ("中评修改", "Neutral reviews changed")
    assert LINE_LABELS["attendance"][0] == "全勤奖"
    assert LINE_LABELS["perf"][0] == "绩效奖金"
