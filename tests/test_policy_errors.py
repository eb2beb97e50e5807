"""The policy's validation messages: pydantic's error types and the validators', in zh and en."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from xlkpi import messages
from xlkpi.errors import PolicyError
from xlkpi.policy import validate_policy
from xlkpi.policy_errors import PolicyValueError, format_location
from xlkpi.policy_io import default_policy


def _broken(path: tuple[str, ...], value: Any) -> PolicyError:
    data = default_policy().model_dump(mode="python")
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(PolicyError) as info:
        validate_policy(data)
    return info.value


@pytest.mark.parametrize(
    ("path", "value", "zh", "en"),
    [
        (("review", "negative"), "很多", "review.negative：应填写数字", "valid number"),
        (
            ("attendance", "cancel_at_count"),
            Decimal("1.5"),
            "应填写整数，不能有小数部分",
            "integer",
        ),
        (("discipline", "cs_attendance_absence_zeroes"), "也许", "应填写 TRUE 或 FALSE", "boolean"),
        (
            ("plans", "store_manager", "team_share_mode"),
            "both",
            "应填写 'entered'、'level_share' 之一",
            "Input should be 'entered' or 'level_share'",
        ),
        (
            ("plans", "cs_2017", "max_absent_months"),
            -1,
            "应大于或等于 0",
            "greater than or equal to 0",
        ),
        (("tax", "bonus", "separate_until"), "2027", "不是月份：请写成 YYYY-MM", "is not a month"),
        (("review", "neutral_typo"), 1, "没有这个键", "Extra inputs are not permitted"),
    ],
)
def test_pydantic_errors_are_translated(
    path: tuple[str, ...], value: Any, zh: str, en: str
) -> None:
    error = _broken(path, value)
    assert zh in error.text("zh"), error.text("zh")
    assert en in error.text("en"), error.text("en")
    assert "Input should" not in error.text("zh")
    assert error.path == ".".join(path)


def test_an_unknown_key_names_the_policy_once() -> None:
    text = _broken(("review", "neutral_typo"), 1).text("zh")
    assert text.startswith("参数中 review.neutral_typo：没有这个键")
    assert text.count("参数") == 1, text


def test_an_unlisted_pydantic_type_names_its_code_not_english() -> None:
    error = _broken(("review",), [1, 2])  # a list where a table belongs: model_type
    assert "review：应是一组带名称的值（表）" in error.text("zh")
    data = default_policy().model_dump(mode="python")
    data["company"]["name"] = b"\xff"  # bytes that are not text: an unusual pydantic type
    with pytest.raises(PolicyError) as info:
        validate_policy(data)
    assert "company.name" in info.value.text("zh")
    assert "Input should" not in info.value.text("zh")


def test_the_run_s_language_picks_the_raised_text_and_both_are_kept() -> None:
    try:
        messages.set_lang("en")
        error = _broken(("review", "negative"), Decimal(-1))
    finally:
        messages.set_lang("zh")
    assert (
        str(error) == error.text("en") == "policy: review.negative: -1 is negative; enter 0 or more"
    )
    assert error.text("zh") == "参数中 review.negative：-1 是负数：请填写 0 或更大的数"


def test_every_finding_is_a_line_and_the_first_path_is_kept() -> None:
    data = default_policy().model_dump(mode="python")
    data["review"]["negative"] = Decimal(-20)
    data["attendance"]["bonus_rate"] = Decimal("1.5")
    with pytest.raises(PolicyError) as info:
        validate_policy(data)
    lines = info.value.text("zh").splitlines()
    assert len(lines) == 2 and all(line.startswith("参数中 ") for line in lines)
    assert info.value.path == "attendance.bonus_rate"


def test_a_value_error_names_its_sub_path_and_joins_choices_the_language_s_way() -> None:
    exc = PolicyValueError(
        "policy.unknown_level", "brackets[2].rate", level="boss", choices=("a", "b")
    )
    assert exc.text("zh") == "rate 没有“boss”这个级别：请用 a、b 之一"
    assert exc.text("en") == "rate unknown level 'boss'; use one of a, b"
    assert str(exc) == "brackets[2].rate 没有“boss”这个级别：请用 a、b 之一"


def test_locations_become_key_paths() -> None:
    loc = ("commission", "ops", "brackets", 2, "function-after[_check()]", "rate")
    assert format_location(loc) == "commission.ops.brackets[2].rate"
