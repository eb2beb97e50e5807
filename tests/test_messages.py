"""The message catalogue: Chinese text is Chinese, both languages take the same values."""

from __future__ import annotations

import re
import string

import pytest

from xlkpi import messages
from xlkpi.messages import MESSAGES, env_lang, resolve_lang, t

_FIELDS = string.Formatter()
# What a Chinese message may hold in ASCII: placeholders, `commands`, options, codes, numbers,
# file names and a few established abbreviations.
_ALLOWED = re.compile(
    r"\{[^}]*\}|`[^`]*`|--[a-z-]+|[\w.~$/\\-]*\.(?:xlsx|xls|xlam|bak)\b|[A-Z_]+=\S+"
    r"|&[PN]|\b(?:xlkpi|xlwings|UDF|Excel|CSV|FILE|YYYY-MM|MB|meta|zh|en|LANG|HMAC|ASCII)\b"
)
_ASCII_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,;:.!?'-]+[A-Za-z]{2,})+")


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in _FIELDS.parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_zh_message_is_chinese_with_chinese_punctuation(key: str) -> None:
    zh, _en = MESSAGES[key]
    rest = _ALLOWED.sub(" ", zh)
    assert re.search(r"[\u4e00-\u9fff]", zh), f"{key}: no Chinese at all"
    assert not _ASCII_SENTENCE.search(rest), f"{key}: English words in {zh!r}"
    assert not re.search(r"[\u4e00-\u9fff][,;:!?()]|[,;:!?(][\u4e00-\u9fff]", rest), (
        f"{key}: ASCII punctuation next to Chinese in {zh!r}"
    )


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_take_the_same_values(key: str) -> None:
    zh, en = MESSAGES[key]
    assert _fields(zh) == _fields(en), key
    assert en.strip() and not re.search(r"[\u4e00-\u9fff]{2,}", en.replace("工资条", "")), key


def test_the_checker_catches_an_english_sentence() -> None:
    assert _ASCII_SENTENCE.search(_ALLOWED.sub(" ", "请改正：the value is wrong"))


def test_language_resolution_order() -> None:
    assert resolve_lang("en", "zh", {"LANG": "zh_CN.UTF-8"}) == "en"
    assert resolve_lang(None, "en", {"LANG": "zh_CN.UTF-8"}) == "en"
    assert resolve_lang(None, None, {"LANG": "en_US.UTF-8"}) == "en"
    assert resolve_lang(None, "", {"LANG": "C.UTF-8"}) == "zh"
    assert env_lang({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN"}) == "en"
    assert env_lang({}) is None


def test_t_formats_in_the_current_language() -> None:
    try:
        messages.set_lang("en")
        assert t("cli.check.ok") == "No problems found."
        messages.set_lang("zh")
        assert t("cli.recalc.backup", name="a.bak.xlsx") == "（上一版本：a.bak.xlsx）"
        assert t("cli.check.ok", lang="en") == "No problems found."
    finally:
        messages.set_lang("zh")


# Errors of the engine, rules, money and UDFs that reach a person (a UDF cell, the command line).
def _engine_errors() -> list[tuple[str, object]]:
    from dataclasses import replace
    from decimal import Decimal

    from udfs import _boundary, ecom, pay
    from xlkpi import engine, money, payplans, rules
    from xlkpi.policy_io import default_policy
    from xlkpi.sample_data import demo_month

    policy = default_policy()
    month = demo_month()
    first = month.employees[0]
    manager = next(e for e in month.employees if e.plan == "store_manager")
    blank_task = replace(month.inputs[manager.id], task_coefficient=None, target=None)
    return [
        ("blank", lambda: money.to_decimal(None, "销售额")),
        ("bool", lambda: money.to_decimal(True, "销售额")),
        ("text", lambda: money.to_decimal("abc", "销售额")),
        ("nan", lambda: money.to_decimal(float("nan"), "销售额")),
        ("negative", lambda: rules.amount_arg(-1, "销售额")),
        ("count negative", lambda: rules.count_arg(-1, "迟到次数")),
        ("count whole", lambda: rules.count_arg("2.5", "迟到次数")),
        ("score", lambda: rules.score_arg(130, policy, plan="designer")),
        ("schedule", lambda: rules.schedule_of("nope", policy)),
        ("no staff", lambda: rules.public_pool_share(1000, 0)),
        ("pool members", lambda: rules.pool_share(Decimal(1), 0)),
        ("split members", lambda: rules.split_evenly(Decimal(1), 0)),
        ("grade", lambda: rules.grade_bonus("??", policy)),
        ("level", lambda: rules.level_share("??", policy)),
        ("no inputs", lambda: engine.compute_month(replace(month, inputs={}))),
        (
            "plan",
            lambda: engine.compute_month(replace(month, employees=[replace(first, plan="x")])),
        ),
        ("task blank", lambda: payplans.store_coefficient(blank_task, policy)),
        ("date", lambda: _boundary.to_date("x", "入职日期")),
        ("month", lambda: _boundary.to_month("x")),
        ("sign udf", lambda: pay.AMOUNT(1, 3)),
        ("position udf", lambda: ecom.POOL_SHARE(100, 2, 5)),
        ("score udf", lambda: pay.SCORE_PAY(1000, 130)),
    ]


_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("case", range(len(_engine_errors())))
def test_engine_and_udf_errors_read_in_chinese(case: int) -> None:
    """In lang=zh an engine or UDF error a person reads holds Chinese text (rules.md's users)."""
    from xlkpi.errors import XlkpiError

    messages.set_lang("zh")
    name, make = _engine_errors()[case]
    try:
        shown = make()  # a UDF returns its error as the cell's text
    except XlkpiError as exc:
        shown = str(exc)
    assert isinstance(shown, str) and _CJK.search(shown), (name, shown)
    codes = re.sub(r"[a-z]+(?:[._][a-z0-9_]+)+|（[a-z]+）", "", shown)  # policy paths, codes
    english_words = _ASCII_SENTENCE.findall(_ALLOWED.sub("", codes))
    assert not english_words, (name, shown)
