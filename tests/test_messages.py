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
    r"|&[PN]|\b(?:xlkpi|Excel|CSV|FILE|YYYY-MM|MB|meta|zh|en|LANG|HMAC|ASCII)\b"
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
