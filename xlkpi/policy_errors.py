"""The policy's validation messages, in the catalogue's languages (xlkpi.messages).

A validator raises :class:`PolicyValueError` with a message key, the values it names and,
optionally, ``sub``: the key path below the validated field that holds the bad value
(``brackets[2].rate``), so the error names the leaf, not the whole scale. pydantic's own
errors (a missing or unknown key, text where a number belongs …) are translated by their
type code. :func:`policy_error` turns a :class:`~pydantic.ValidationError` into one
:class:`~xlkpi.errors.PolicyError` whose text exists in both languages (``exc.text(lang)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from xlkpi.errors import PolicyError
from xlkpi.messages import LANGS, get_lang, t

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

# pydantic error type → message key (policy.pydantic.<key>) and the context value it shows
_PYDANTIC: dict[str, tuple[str, str | None]] = {
    "missing": ("missing", None),
    "extra_forbidden": ("extra_forbidden", None),
    "decimal_parsing": ("number", None),
    "decimal_type": ("number", None),
    "float_parsing": ("number", None),
    "float_type": ("number", None),
    "finite_number": ("number", None),
    "int_parsing": ("integer", None),
    "int_type": ("integer", None),
    "int_from_float": ("int_from_float", None),
    "bool_parsing": ("bool", None),
    "bool_type": ("bool", None),
    "string_type": ("text", None),
    "list_type": ("list", None),
    "dict_type": ("table", None),
    "model_type": ("table", None),
    "model_attributes_type": ("table", None),
    "greater_than_equal": ("greater_than_equal", "ge"),
    "greater_than": ("greater_than", "gt"),
    "less_than_equal": ("less_than_equal", "le"),
    "less_than": ("less_than", "lt"),
    "literal_error": ("literal_error", "expected"),
    "string_pattern_mismatch": ("pattern", "pattern"),
}


class PolicyValueError(ValueError):
    """A validator's finding: message ``key`` of the catalogue with its ``values``.

    ``sub`` is the key path, relative to the validated field, of the offending value; the
    message then reads as a predicate of its last part (``amount 为 -1，不能为负数``).
    A tuple value is a list of choices, joined the language's way (、 or ", ").
    """

    def __init__(self, key: str, sub: str = "", **values: Any) -> None:
        self.key, self.sub, self.values = key, sub, values
        # a model built directly (not through validate_policy) shows the whole sub path
        super().__init__(self.text(get_lang(), leaf=sub))

    def text(self, lang: str, leaf: str | None = None) -> str:
        """The message in ``lang``, led by the leaf it is about (``leaf``: another lead)."""
        joiner = "、" if lang == "zh" else ", "
        shown = {k: joiner.join(v) if isinstance(v, tuple) else v for k, v in self.values.items()}
        message = t(self.key, lang=lang, **shown)
        lead = self.sub.rsplit(".", 1)[-1] if leaf is None else leaf
        return f"{lead} {message}" if lead else message


def format_location(loc: tuple[str | int, ...]) -> str:
    """Turn a pydantic error location into a key path: ``commission.x.brackets[2].rate``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith(("function-", "model-", "union[")) or "[" in part:
            continue
        else:
            path += f".{part}" if path else part
    return path


def _join(path: str, sub: str) -> str:
    if not sub:
        return path
    return f"{path}{sub}" if sub.startswith("[") or not path else f"{path}.{sub}"


def _pydantic_text(error: Mapping[str, Any], lang: str) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == MONTH_PATTERN:
        return t("policy.pydantic.month", lang=lang)
    if kind not in _PYDANTIC:
        return t("policy.pydantic.other", lang=lang, type=kind)
    key, field = _PYDANTIC[kind]
    values: dict[str, Any] = {}
    if field == "expected":
        expected = str(ctx.get("expected", ""))
        values[field] = expected.replace(" or ", "、" if lang == "zh" else " or ")
    elif field == "pattern":
        values[field] = ctx.get("pattern", "")
    elif field:
        values["limit"] = ctx.get(field, "")
    return t(f"policy.pydantic.{key}", lang=lang, **values)


def _issues(exc: ValidationError) -> list[tuple[str, Any]]:
    """(key path, what to render) per error: a PolicyValueError or pydantic's error dict."""
    out: list[tuple[str, Any]] = []
    for error in exc.errors():
        path = format_location(tuple(error["loc"]))
        cause = (error.get("ctx") or {}).get("error")
        if error["type"] == "value_error" and isinstance(cause, PolicyValueError):
            out.append((_join(path, cause.sub), cause))
        else:
            out.append((path, error))
    return out


def policy_error(
    exc: ValidationError, source: str | None = None, month: str | None = None
) -> PolicyError:
    """One PolicyError listing every finding of ``exc``, one line each, in both languages.

    ``source`` names where the policy came from (a file, the 参数 sheet); without it the
    line says 参数 / policy, or the policy in force in ``month`` when that is given.
    """
    issues = _issues(exc)
    texts: dict[str, str] = {}
    for lang in LANGS:
        if source is not None:
            where = source
        elif month is not None:
            where = t("policy.in_force", lang=lang, month=month)
        else:
            where = t("policy.source", lang=lang)
        lines = []
        for path, what in issues:
            if isinstance(what, PolicyValueError):
                message = what.text(lang)
            elif what["type"] == "value_error":  # a plain ValueError: its own text
                message = str(what["msg"]).removeprefix("Value error, ")
            else:
                message = _pydantic_text(what, lang)
            shown = path or t("policy.top_level", lang=lang)
            lines.append(t("policy.issue", lang=lang, source=where, path=shown, message=message))
        texts[lang] = "\n".join(lines)
    first = next((path for path, _what in issues if path), "")
    return PolicyError(texts[get_lang()], path=first, texts=texts)
