"""The Policy sheet: lossless round trip through openpyxl and calamine; errors name the cell."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from workbook_templates.policy_sheet import read_policy_sheet, write_policy_sheet
from xlkpi.errors import PolicyError
from xlkpi.policy import Change, Policy
from xlkpi.policy_io import default_policy


def _rows(policy: Policy, tmp_path: Path, month: str | None = None) -> list[list[object]]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "参数"
    write_policy_sheet(ws, policy, month)
    path = tmp_path / "policy.xlsx"
    wb.save(path)
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("参数").to_python()


def test_default_policy_round_trips(tmp_path: Path) -> None:
    assert read_policy_sheet(_rows(default_policy(), tmp_path), "参数") == default_policy()


def test_dated_changes_round_trip_in_their_own_block(tmp_path: Path) -> None:
    policy = default_policy().model_copy(
        update={
            "changes": [
                Change(effective_from="2026-12", path="review.neutral", value=Decimal("12.5")),
                Change(
                    effective_from="2027-01",
                    path="perf_coeff.brackets[1].amount",
                    value=Decimal("1.1"),
                ),
            ]
        }
    )
    rows = _rows(policy, tmp_path)
    assert read_policy_sheet(rows, "参数") == policy
    months = [row[4] for row in rows if row[4]]
    assert months[1:] == ["2026-12", "2027-01"]  # after the header's title


def test_a_months_sheet_shows_the_policy_in_force_then(tmp_path: Path) -> None:
    policy = default_policy().model_copy(
        update={"changes": [Change(effective_from="2026-12", path="review.neutral", value=12)]}
    )
    before = read_policy_sheet(_rows(policy, tmp_path, "2026-11"), "参数")
    after = read_policy_sheet(_rows(policy, tmp_path, "2026-12"), "参数")
    assert before.review.neutral == 10 and len(before.changes) == 1
    assert after.review.neutral == 12 and after.changes == []
    assert before.at("2026-12") == after


def test_notes_mark_readings_and_examples(tmp_path: Path) -> None:
    rows = _rows(default_policy(), tmp_path)
    notes = {row[0]: row[5] for row in rows if row[0]}
    assert "解读" in notes["allowances.overtime_hours_per_day"]
    assert "示例值" in notes["strict_attendance.amount"]


def _edit(rows: list[list[object]], key: str, column: int, value: object) -> int:
    for r, row in enumerate(rows, start=1):
        if row[0] == key:
            row[column] = value
            return r
    raise AssertionError(key)


def test_a_bad_value_names_the_cell_the_value_and_the_key_path(tmp_path: Path) -> None:
    rows = _rows(default_policy(), tmp_path)
    r = _edit(rows, "perf_coeff.brackets[1]", 3, -2.0)
    with pytest.raises(PolicyError) as caught:
        read_policy_sheet(rows, "参数")
    message = str(caught.value)
    assert message.startswith(f"参数!D{r} 的值为 -2.0：")
    assert caught.value.text("en").startswith(f"参数!D{r} = -2.0: ")
    assert "perf_coeff.brackets[1].amount" in message
    assert caught.value.path == "perf_coeff.brackets[1].amount"


def test_a_weight_pair_that_does_not_add_up_is_reported(tmp_path: Path) -> None:
    rows = _rows(default_policy(), tmp_path)
    r = _edit(rows, "score.self_weight", 2, 0.3)
    with pytest.raises(PolicyError, match="两项权重之和必须为 100%") as caught:
        read_policy_sheet(rows, "参数")
    assert "参数!C" in str(caught.value) and caught.value.cell.startswith("参数!C")
    assert "must add up to 100%" in caught.value.text("en")
    assert caught.value.remedy["zh"] == "按说明列改正“参数”表上的值，或从模板复制这一行"
    assert r > 0


def test_a_broken_key_is_reported_with_its_cell(tmp_path: Path) -> None:
    rows = _rows(default_policy(), tmp_path)
    r = _edit(rows, "review.neutral", 0, "review..neutral")
    with pytest.raises(PolicyError, match=f"参数!A{r}") as caught:
        read_policy_sheet(rows, "参数")
    text = caught.value.text("zh")  # the sheet's name once, not 参数 again in the finding
    assert text.startswith(f"参数!A{r} 的值为 'review..neutral'：不是有效的键。"), text
    assert text.count("参数") == 1, text
