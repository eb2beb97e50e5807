"""argparse in the run's language: headings, usage prefix, ``-h`` help and error messages.

argparse words its own sentences in English through ``gettext`` (``argparse._``); patching
that module global is fragile (it is looked up at call time from argparse's module, shared by
every parser in the process). Instead :class:`Parser` and :class:`HelpFormatter` set what a
person reads: the group headings (``用法：``, ``位置参数``, ``选项``), the ``-h`` help text and the
error line (``xlkpi recalc：错误：缺少必需的参数：BOOK``), translating argparse's English
error sentences by their known templates (:data:`ERROR_TEMPLATES`). Texts come from
:mod:`xlkpi.messages` in the current language.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

from xlkpi.messages import get_lang, t

# argparse's English error sentences (CPython 3.11-3.13) → the catalogue key and its fields.
ERROR_TEMPLATES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^the following arguments are required: (?P<names>.+)$"), "argparse.required"),
    (re.compile(r"^unrecognized arguments: (?P<names>.+)$"), "argparse.unrecognized"),
    (re.compile(r"^one of the arguments (?P<names>.+) is required$"), "argparse.one_required"),
    (
        re.compile(r"^argument (?P<name>\S+?): not allowed with argument (?P<other>.+)$"),
        "argparse.argument_not_allowed",
    ),
    (
        re.compile(r"^argument (?P<name>\S+?): expected one argument$"),
        "argparse.argument_expected_one",
    ),
    (
        re.compile(
            r"^argument (?P<name>\S+?): invalid choice: '?(?P<value>.*?)'? "
            r"\(choose from (?P<choices>.+)\)$"
        ),
        "argparse.argument_invalid_choice",
    ),
    (
        re.compile(r"^argument (?P<name>\S+?): invalid (?P<type>\w+) value: (?P<value>.+)$"),
        "argparse.argument_invalid_value",
    ),
)


_HEADING = re.compile(r"(?m)^(\S[^\n]*[\u4e00-\u9fff]):$")  # a section heading line


def _choices(text: str) -> str:
    """argparse's ``'zh', 'en'`` as ``zh、en``."""
    return "、".join(part.strip().strip("'\"") for part in text.split(","))


def translate_error(message: str) -> str:
    """argparse's English error sentence in the current language (as it is when unknown)."""
    if get_lang() == "en":
        return message
    for pattern, key in ERROR_TEMPLATES:
        m = pattern.match(message)
        if m:
            fields = m.groupdict()
            if "choices" in fields:
                fields["choices"] = _choices(fields["choices"])
            return t(key, **fields)
    return message


class HelpFormatter(argparse.HelpFormatter):
    """The usage prefix (``用法：``) and the headings' colon (``选项：``) in the run's tongue."""

    def format_help(self) -> str:
        text = super().format_help()
        if get_lang() == "en":
            return text
        return _HEADING.sub(r"\1：", text)

    def add_usage(
        self,
        usage: str | None,
        actions: Any,
        groups: Any,
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, t("argparse.usage") if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose headings, ``-h`` help and errors follow the current language.

    ``add_help`` adds ``-h/--help`` with the catalogue's help text; subparsers are of the same
    class and formatter.
    """

    def __init__(self, *args: Any, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        parents = kwargs.pop("parents", [])
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = t("argparse.positionals")
        self._optionals.title = t("argparse.options")
        if add_help:
            self.add_argument("-h", "--help", action="help", help=t("cli.help"))
        for parent in parents:  # after the titles, so a parent's groups merge with these
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parser_class", Parser)
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        """Usage, then ``PROG：错误：MESSAGE`` on stderr; exit code 2 (as argparse)."""
        self.print_usage(sys.stderr)
        text = t("argparse.error", prog=self.prog, message=translate_error(message))
        self.exit(2, text + "\n")
