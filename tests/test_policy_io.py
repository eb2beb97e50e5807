"""Policy input/output: TOML and flat-row round trips are lossless; key paths; bad files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from xlkpi import messages
from xlkpi.errors import PolicyError
from xlkpi.policy import Policy, validate_policy
from xlkpi.policy_io import (
    EMPTY_DICT,
    EMPTY_LIST,
    PolicyRow,
    default_policy,
    dumps_toml,
    flatten,
    load_toml,
    loads_toml,
    parse_path,
    policy_from_rows,
    policy_to_rows,
    unflatten,
)

CHANGES: list[dict[str, Any]] = [
    {
        "effective_from": "2026-11",
        "path": "fines.complaint_fines",
        "value": [Decimal(50), Decimal(100), Decimal(200)],
    },
    {"effective_from": "2026-12", "path": "plans.cs_003.base_amount", "value": Decimal(550)},
    {
        "effective_from": "2027-01",
        "path": "commission.cs_flat.brackets[0].rate",
        "value": Decimal("0.025"),
    },
]


def _with_changes(changes: list[dict[str, Any]] = CHANGES) -> Policy:
    data = default_policy().model_dump(mode="python")
    data["changes"] = changes
    return validate_policy(data)


POLICIES = {"default": default_policy, "with_changes": _with_changes}


@pytest.mark.parametrize("make", POLICIES.values(), ids=POLICIES.keys())
def test_toml_round_trip_is_lossless(make: Any) -> None:
    policy = make()
    text = dumps_toml(policy)
    again = loads_toml(text)
    assert again == policy
    assert dumps_toml(again) == text
    for month in ("2026-10", "2026-11", "2026-12", "2027-01"):
        assert again.at(month) == policy.at(month)


@pytest.mark.parametrize("make", POLICIES.values(), ids=POLICIES.keys())
def test_flat_rows_round_trip_is_lossless(make: Any) -> None:
    policy = make()
    rows = policy_to_rows(policy)
    again = policy_from_rows(rows)
    assert again == policy
    assert policy_to_rows(again) == rows


def test_changes_listed_out_of_month_order_keep_their_meaning() -> None:
    """The rows list dated changes in month order; the policy in force is the same."""
    policy = _with_changes(list(reversed(CHANGES)))
    again = policy_from_rows(policy_to_rows(policy))
    assert again.changes == sorted(policy.changes, key=lambda c: c.effective_from)
    for month in ("2026-10", "2026-11", "2026-12", "2027-01"):
        assert again.at(month) == policy.at(month)
    assert policy.at("2026-11").fines.complaint_fines == [50, 100, 200]
    assert policy.at("2026-12").plans.cs_003.base_amount == 550
    assert policy.at("2027-01").commission["cs_flat"].flat_rate == Decimal("0.025")


def test_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(dumps_toml(_with_changes()), "utf-8")
    assert load_toml(path) == _with_changes()


def test_rows_are_leaves_with_key_paths_then_dated_changes() -> None:
    rows = policy_to_rows(_with_changes())
    paths = [r.path for r in rows]
    assert "perf_coeff.brackets[2].amount" in paths
    assert "commission.ops_progressive.brackets[2].rate" in paths
    row = next(r for r in rows if r.path == "perf_coeff.brackets[2].amount")
    assert row.value == Decimal("1.2") and row.effective_from is None
    assert row.label == "绩效系数"
    dated = [r for r in rows if r.effective_from]
    assert [r.effective_from for r in dated] == ["2026-11", "2026-12", "2027-01"]
    assert all(r.effective_from is None for r in rows[: len(rows) - len(dated)])


def test_rows_carry_labels_and_reading_notes() -> None:
    rows = {r.path: r for r in policy_to_rows(default_policy())}
    ratio = rows["perf_bonus.ratio.brackets[1].amount"]
    assert ratio.label == "绩效奖金发放比例"
    assert ratio.note.startswith("解读：")
    assert rows["strict_attendance.amount"].note.startswith("示例值")
    assert rows["review.neutral"].label == "中评修改单价"


def test_empty_containers_are_kept_as_markers() -> None:
    rows = {r.path: r.value for r in policy_to_rows(default_policy())}
    assert rows["scorecards.logistics_kpi.plans"] == EMPTY_LIST
    assert rows["plans.designer"] == EMPTY_DICT
    assert unflatten([("a.b", EMPTY_LIST), ("a.c", EMPTY_DICT)]) == {"a": {"b": [], "c": {}}}


@pytest.mark.parametrize("convert", [float, str], ids=["float", "text"])
def test_rows_from_a_sheet_with_floats_or_text_give_the_same_policy(convert: Any) -> None:
    """Excel hands back floats (0.015) or text: the policy read back is still exact."""
    rows = [
        PolicyRow(r.path, convert(r.value) if isinstance(r.value, Decimal) else r.value)
        for r in policy_to_rows(default_policy())
    ]
    again = policy_from_rows(rows)
    assert again == default_policy()
    assert str(again.team.pool_rate.brackets[2].amount) == "0.015"


def test_flatten_unflatten_inverse() -> None:
    data = {"a": {"b": [{"c": 1}, {"c": 2}], "d": "x"}, "e": []}
    pairs = flatten(data)
    assert pairs == [("a.b[0].c", 1), ("a.b[1].c", 2), ("a.d", "x"), ("e", EMPTY_LIST)]
    assert unflatten(pairs) == data


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("perf_coeff.brackets[2].amount", ["perf_coeff", "brackets", 2, "amount"]),
        ("review.neutral", ["review", "neutral"]),
        ("fines.complaint_fines[0]", ["fines", "complaint_fines", 0]),
    ],
)
def test_parse_path(path: str, parts: list[str | int]) -> None:
    assert parse_path(path) == parts


@pytest.mark.parametrize("path", ["", "a..b", "a[x]", "a[1", ".a", "a.[0]"])
def test_parse_path_refuses_malformed_paths(path: str) -> None:
    with pytest.raises(PolicyError, match="不是键的写法") as caught:  # Chinese by default
        parse_path(path)
    assert caught.value.text("en") == (
        f"'{path}' is not a key path such as perf_coeff.brackets[2].amount"
    )
    assert caught.value.path == path


def test_rows_skipping_an_index_are_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        unflatten([("a[0]", 1), ("a[2]", 3)])
    assert str(caught.value) == "a[2]：序号 [2] 跳过了 [1]：请按 0、1、2 … 依次编号"
    assert caught.value.text("en") == "a[2]: index [2] skips [1]; number rows 0, 1, 2 …"


@pytest.mark.parametrize(
    ("pairs", "zh", "en"),
    [
        ([("a.b", 1), ("a[0]", 2)], "a[0]：[0] 所在处应是名称，不是序号", "used where a name"),
        ([("a[0]", 1), ("a.b", 2)], "a.b：此处应是序号 [n]，不是名称", "where [index] is"),
    ],
)
def test_a_name_and_an_index_in_each_other_s_place_are_refused(
    pairs: list[tuple[str, object]], zh: str, en: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        unflatten(pairs)
    assert str(caught.value) == zh and en in caught.value.text("en")


def test_not_toml_is_a_policy_error_naming_the_line() -> None:
    with pytest.raises(PolicyError) as caught:
        loads_toml("[score]\nx = = 1", source="bad.toml")
    assert str(caught.value) == "bad.toml 不是有效的 TOML 文件：第 2 行第 5 列附近格式不对"
    assert caught.value.text("en") == "bad.toml: not valid TOML near line 2, column 5"


def test_not_toml_without_a_source_names_the_policy_in_the_run_s_language() -> None:
    try:
        messages.set_lang("en")
        with pytest.raises(PolicyError) as caught:
            loads_toml("x = ")
    finally:
        messages.set_lang("zh")
    assert str(caught.value).startswith("policy: not valid TOML near line 1")
    assert caught.value.text("zh").startswith("参数 不是有效的 TOML 文件：第 1 行")


def test_toml_numbers_are_exact_decimals() -> None:
    text = dumps_toml(default_policy()).replace("bonus_rate = 0.1", "bonus_rate = 0.15")
    policy = loads_toml(text)
    assert policy.attendance.bonus_rate == Decimal("0.15")
    assert isinstance(policy.attendance.bonus_rate, Decimal)
