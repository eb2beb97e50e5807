"""Reading and writing the policy: the shipped defaults, TOML files and the flat table form.

The flat form is a list of :class:`PolicyRow` — one leaf value per row, addressed by its key
path (``perf_coeff.brackets[2].amount``), with the month it takes effect from (blank for the
base value) and the label and note the Policy sheet shows. Both forms round-trip losslessly.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel

from xlkpi.errors import PolicyError
from xlkpi.messages import LANGS, chinese_punctuation, get_lang, t
from xlkpi.policy import Change, Policy, validate_policy

EMPTY_LIST = "[]"
EMPTY_DICT = "{}"
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _error(key: str, path: str, index: object = None, expected: object = None) -> PolicyError:
    """The PolicyError at key path ``path`` of message ``key``, in every language (raised in
    the run's)."""
    texts = {lang: t(key, lang=lang, path=path, index=index, expected=expected) for lang in LANGS}
    return PolicyError(texts[get_lang()], path, texts=texts)


def _toml_position(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int, int]:
    """(line, column) of a TOML error: tomllib's ``(at line L, column C)``, else the end."""
    m = _AT.search(str(exc))
    if m:
        return int(m[1]), int(m[2])
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """One leaf of the policy: key path, value, month it takes effect from, label and note."""

    path: str
    value: Any
    effective_from: str | None = None
    label: str = ""
    note: str = ""


@cache
def default_policy() -> Policy:
    """The documents' policy with the Reading choices of rules.md (a fresh, immutable object).

    >>> default_policy().perf_coeff.value(Decimal(80))
    Decimal('1.2')
    """
    text = resources.files("xlkpi").joinpath("data/default_policy.toml").read_text("utf-8")
    return loads_toml(text, source="default_policy.toml")


def loads_toml(text: str, source: str | None = None) -> Policy:
    """Parse a policy from TOML text (numbers become exact Decimals)."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_position(exc, text)
        texts = {
            lang: t(
                "policy.io.not_toml",
                lang=lang,
                source=source or t("policy.source", lang=lang),
                line=line,
                column=column,
            )
            for lang in LANGS
        }
        raise PolicyError(texts[get_lang()], texts=texts) from None
    return validate_policy(data, source=source)


def load_toml(path: Path) -> Policy:
    """Read a policy from a TOML file."""
    return loads_toml(Path(path).read_text("utf-8"), source=str(path))


def dumps_toml(policy: Policy) -> str:
    """Write a policy as TOML text that :func:`loads_toml` reads back to an equal policy."""
    data = policy.model_dump(mode="python", exclude_none=True)
    if not data.get("changes"):
        data.pop("changes", None)
    return tomli_w.dumps(data)


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Leaves of nested dicts and lists as (key path, value); None is left out."""
    if isinstance(data, dict):
        if not data and prefix:
            return [(prefix, EMPTY_DICT)]
        out: list[tuple[str, Any]] = []
        for key, value in data.items():
            out += flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(data, list):
        if not data:
            return [(prefix, EMPTY_LIST)]
        out = []
        for i, value in enumerate(data):
            out += flatten(value, f"{prefix}[{i}]")
        return out
    return [] if data is None else [(prefix, data)]


def parse_path(path: str) -> list[str | int]:
    """Split a key path into keys and list indexes: ``a.b[2].c`` → ``["a", "b", 2, "c"]``."""
    parts: list[str | int] = []
    for name, index in _TOKEN.findall(path):
        parts.append(int(index) if index else name)
    if (
        not parts
        or "".join(
            f"[{p}]" if isinstance(p, int) else ("." if i else "") + p for i, p in enumerate(parts)
        )
        != path
    ):
        raise _error("policy.io.not_key_path", path)
    return parts


def unflatten(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Rebuild nested data from (key path, value) pairs; list indexes must run 0, 1, 2 …"""
    root: dict[str, Any] = {}
    for path, value in pairs:
        parts = parse_path(path)
        node: Any = root
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            leaf = following is None
            child: Any = _leaf(value) if leaf else ([] if isinstance(following, int) else {})
            if isinstance(part, int):
                if not isinstance(node, list):
                    raise _error("policy.io.index_for_name", path, part)
                if part > len(node):
                    raise _error("policy.io.index_skips", path, part, len(node))
                if part == len(node):
                    node.append(child)
                elif leaf:
                    node[part] = child
                node = node[part]
            else:
                if not isinstance(node, dict):
                    raise _error("policy.io.name_for_index", path)
                if leaf:
                    node[part] = child
                node = node.setdefault(part, child)
    return root


def _leaf(value: Any) -> Any:
    if value == EMPTY_LIST:
        return []
    return {} if value == EMPTY_DICT else value


def _field_meta(model: type[BaseModel], parts: list[str | int]) -> tuple[str, str]:
    """Label and note of the deepest field along ``parts`` that has them."""
    label, note = "", ""
    current: Any = model
    keyed = False  # the previous field is a dict of models: this part is a key
    for part in parts:
        if keyed or isinstance(part, int):
            keyed = False
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            current = None
            continue
        field = current.model_fields.get(part)
        if field is None:
            break
        label = field.title or label
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        note = str(extra.get("note", note))
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        current = args[-1] if args else annotation
        keyed = getattr(annotation, "__origin__", None) is dict
    return chinese_punctuation(label), chinese_punctuation(note)


def policy_to_rows(policy: Policy) -> list[PolicyRow]:
    """The policy as flat rows: base values first, then dated changes in month order."""
    data = policy.model_dump(mode="python", exclude={"changes"})
    rows = []
    for path, value in flatten(data):
        label, note = _field_meta(Policy, parse_path(path))
        rows.append(PolicyRow(path, value, None, label, note))
    for change in sorted(policy.changes, key=lambda c: c.effective_from):
        label, note = _field_meta(Policy, parse_path(change.path))
        rows.append(PolicyRow(change.path, change.value, change.effective_from, label, note))
    return rows


def policy_from_rows(rows: list[PolicyRow], source: str | None = None) -> Policy:
    """Rebuild a policy from flat rows (the inverse of :func:`policy_to_rows`)."""
    base = [(r.path, r.value) for r in rows if not r.effective_from]
    data = unflatten(base)
    data["changes"] = [
        {"effective_from": r.effective_from, "path": r.path, "value": r.value}
        for r in rows
        if r.effective_from
    ]
    policy = validate_policy(data, source=source)
    for change in policy.changes:  # every dated value must itself give a valid policy
        apply_changes(policy, change.effective_from)
    return policy


def apply_changes(policy: Policy, month: str) -> Policy:
    """The policy in force in ``month``: dated changes up to it applied, none left pending."""
    due = sorted((c for c in policy.changes if c.effective_from <= month), key=_order)
    if not due and not policy.changes:
        return policy
    pairs = dict(flatten(policy.model_dump(mode="python", exclude={"changes"})))
    for change in due:
        parse_path(change.path)
        pairs[change.path] = change.value
    data = unflatten(list(pairs.items()))
    return validate_policy(data, month=month)


def _order(change: Change) -> str:
    return change.effective_from
