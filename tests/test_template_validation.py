"""The input cells' data validation (workbook_templates.validation): its bounds and its
error texts, which come from the message catalogue in the book's language."""

from __future__ import annotations

import re

import pytest
from openpyxl.worksheet.datavalidation import DataValidation

from tests.test_zh_strings import assert_chinese
from workbook_templates.validation import validations_for
from xlkpi import layout
from xlkpi.layout import PLAN_BY_LABEL
from xlkpi.policy_io import default_policy

_CJK = re.compile(r"[\u4e00-\u9fff]")
_SHEETS = (layout.ROSTER, layout.ATTENDANCE, layout.SALES, layout.SHOPS, layout.TEAMS)


def _by_field(sheet: layout.SheetLayout, lang: str) -> dict[str, DataValidation]:
    fields = {sheet.letter(c.field): c.field for c in sheet.columns}
    found = validations_for(sheet, default_policy(), lang=lang)
    return {fields[letter]: dv for letter, dv in found}


def test_chinese_book_texts() -> None:
    roster, attendance = _by_field(layout.ROSTER, "zh"), _by_field(layout.ATTENDANCE, "zh")
    assert roster["plan"].errorTitle == "输入错误"
    assert roster["plan"].error == "请从下拉列表中选择：" + "、".join(PLAN_BY_LABEL)
    assert roster["hire_date"].error == "请输入日期，例如 2024-03-01"
    assert roster["base_pay"].error == "请输入0到1000000之间的数（不要输入百分比）"
    assert attendance["lates"].error == (
        "请输入0到100000之间的整数（不要输入百分比）；本行岗位方案不读取的单元格填「不适用」"
    )


def test_english_book_texts_and_its_n_a() -> None:
    roster, attendance = _by_field(layout.ROSTER, "en"), _by_field(layout.ATTENDANCE, "en")
    assert roster["plan"].errorTitle == "Invalid entry"
    assert roster["plan"].error == "Choose from the list: " + ", ".join(PLAN_BY_LABEL)
    assert roster["hire_date"].error == "Enter a date, e.g. 2024-03-01"
    assert attendance["lates"].error == (
        "Enter a whole number from 0 to 100000 (not a percentage); where the row's plan does "
        "not read the cell, enter N/A"
    )
    assert '"N/A"' in attendance["lates"].formula1 and '"不适用"' in attendance["lates"].formula1


@pytest.mark.parametrize("sheet", _SHEETS, ids=lambda s: s.name)
def test_every_error_text_reads_in_the_book_s_language(sheet: layout.SheetLayout) -> None:
    zh, en = _by_field(sheet, "zh"), _by_field(sheet, "en")
    assert zh.keys() == en.keys() and zh
    for field, dv in zh.items():
        assert_chinese(f"{dv.errorTitle}：{dv.error}", f"{sheet.name} {field}")
    for field, dv in en.items():  # Chinese only in a list's choices: the cells' values
        text = f"{dv.errorTitle} {dv.error}"
        if dv.type == "list":
            for choice in dv.formula1.strip('"').split(","):
                text = text.replace(choice, "")
        assert not _CJK.search(text), (sheet.name, field, dv.error)
