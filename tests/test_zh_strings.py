"""Chinese first: every text a person reads in a Chinese (lang=zh) run holds no English sentence.

Covered: every catalogue message (formatted with sample values), the ``--help`` of every
command, argparse's error line, the 说明 sheet, the 参数 sheet's labels and notes, the demo
month's alerts, the problems and notes ``check`` reports for planted mistakes, the month-cycle
and writer errors, and the source of the modules whose errors reach a person (no English
literal raised). "English sentence": three or more ASCII words in a row once codes, paths,
commands, options, placeholders, numbers, units and product names are set aside; "ASCII
punctuation in Chinese": one of ``, ; : ( )`` next to a Chinese character.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import openpyxl
import pytest

from xlkpi import cli, layout, messages
from xlkpi.messages import MESSAGES, t
from xlkpi.payplans import PLAN_LABELS

ROOT = Path(__file__).resolve().parent.parent

# What Chinese text may hold in ASCII: `commands`, {placeholders}, --options, file names, paths,
# cell references, codes (CAPITALS, snake_case, dotted.paths, words with digits), "xlkpi verb".
_CODES = re.compile(
    r"`[^`]*`|\{[^}]*\}|--?[A-Za-z][\w-]*|[\w.~$-]*\.(?:xlsx|xlsm|xls|xlam|bak|csv|toml|log)\b"
    r"|(?:~|\.{1,2})?/[\w./~+-]+|\b[A-Z][A-Z0-9_]+\b|\b\w*[\d_]\w*\b|\b\w+(?:\.\w+)+\b"
    r"|\bxlkpi(?: (?:demo|new-month|check|recalc|payslips|close|addin|build|install))?\b"
)
# Names that stay as they are in Chinese text.
_NAMES = frozenset(
    "xlkpi xlwings Excel WPS LibreOffice Python Mac Windows openpyxl python calamine "
    "meta zh en KPI CSV TSV UDF HMAC SHA ASCII ECMA MB s".split()
)
_RUN = re.compile(r"[A-Za-z][A-Za-z' ,;:.!?&/-]*")
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_CJK_PUNCT = re.compile(r"[\u4e00-\u9fff][,;:()]|[,;:()][\u4e00-\u9fff]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# The plans' names are values typed in the roster and matched by the payroll's formulas
# (COUNTIF on 客服(2017标准)): they keep their ASCII brackets until a migration renames them in
# older workbooks too.
_PLAN_NAMES = re.compile("|".join(re.escape(zh) for zh, _en in PLAN_LABELS.values()))


def english_sentence(text: str) -> str | None:
    """The first run of three or more English words (codes and names aside), or None."""
    rest = _CODES.sub(" ", text)
    for run in _RUN.finditer(rest):
        words = [w for w in _WORD.findall(run.group()) if w not in _NAMES]
        if len(words) >= 3:
            return run.group().strip()
    return None


def ascii_punctuation(text: str) -> str | None:
    """The first ASCII ``, ; : ( )`` next to a Chinese character (codes aside), or None."""
    m = _CJK_PUNCT.search(_CODES.sub("␣", _PLAN_NAMES.sub("方案", text)))
    return m.group() if m else None


def assert_chinese(text: str, where: str) -> None:
    """``text`` (read in a Chinese run) has no English sentence and no ASCII punctuation."""
    sentence = english_sentence(text)
    assert sentence is None, f"{where}: English {sentence!r} in {text!r}"
    mark = ascii_punctuation(text)
    assert mark is None, f"{where}: ASCII punctuation {mark!r} in {text!r}"


def test_the_checkers_catch_what_they_must_and_let_codes_pass() -> None:
    assert english_sentence("请改正：the value is wrong") == "the value is wrong"
    assert english_sentence("运行 `xlkpi recalc --reopen BOOK` 后重新封账") is None
    assert english_sentence("在 ~/xlkpi-seal.key 中，缺少 perf_coeff.brackets[2].amount") is None
    assert english_sentence("加载项（xlwings UDF）：Excel 中调用") is None
    assert ascii_punctuation("请输入日期,例如 2024-03-01") == "期,"
    assert ascii_punctuation("参数!C12 为 0.5；范围 A2:C31") is None
    assert ascii_punctuation("（`工号,密码`）") is None


# --- the catalogue ---------------------------------------------------------------------------

_SAMPLES = {
    "path": "/tmp/2026-11.xlsx",
    "name": "2026-11.xlsx",
    "book": "2026-11.xlsx",
    "file": "E001.xlsx",
    "folder": "/tmp/slips",
    "lock_path": "/tmp/~$2026-11.xlsx",
    "lock": "~$2026-11.xlsx",
    "log": "/tmp/xlkpi.log",
    "sheet": "考勤",
    "payroll": "工资表",
    "alerts": "预警",
    "roster": "花名册",
    "attendance": "考勤",
    "history": "历史",
    "tax": "个税",
    "header": "身份证后六位",
    "month": "2026-11",
    "previous": "2026-10",
    "command": "recalk",
    "suggestion": "recalc",
    "prog": "xlkpi recalc",
}


def _sample(field: str) -> object:
    return _SAMPLES.get(field, 3)


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_catalogue_message_reads_in_chinese(key: str) -> None:
    zh, en = MESSAGES[key]
    assert zh.strip() and en.strip(), f"{key}: both languages are needed"
    fields = {name for _lit, name, _spec, _conv in string.Formatter().parse(zh) if name}
    shown = t(key, lang="zh", **{f: _sample(f) for f in fields}) if fields else zh
    assert _CJK.search(shown), f"{key}: no Chinese in {shown!r}"
    assert_chinese(shown, key)


# --- the command line --------------------------------------------------------------------------

_COMMANDS = [
    [],
    ["demo"],
    ["new-month"],
    ["check"],
    ["recalc"],
    ["payslips"],
    ["close"],
    ["addin"],
    ["addin", "build"],
    ["addin", "install"],
]


@pytest.mark.parametrize("words", _COMMANDS, ids=lambda w: " ".join(w) or "xlkpi")
def test_every_help_text_reads_in_chinese(
    words: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    with pytest.raises(SystemExit) as info:
        cli.main([*words, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：") and "选项：" in out
    for line in out.splitlines():
        assert_chinese(line, f"xlkpi {' '.join(words)} --help")


def test_argparse_errors_read_in_chinese(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    cases = [
        ["recalc"],  # a missing argument
        ["recalc", "a.xlsx", "--bogus"],  # an unknown option
        ["new-month", "--template", "--from", "a.xlsx", "--month", "2026-11", "--out", "b"],
        ["--lang", "fr"],  # an invalid choice
        ["new-month", "--month", "2026-11", "--out", "b.xlsx"],  # one of a group required
    ]
    for argv in cases:
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        assert info.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].split("：")[1] == "错误", err
        assert_chinese(err[-1], " ".join(argv))


def test_a_mistyped_command_reads_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--lang", "zh", "recalk"]) == 2
    assert_chinese(capsys.readouterr().err, "recalk")


# --- the workbook: 说明 and 参数 -----------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> openpyxl.Workbook:
    return openpyxl.load_workbook(ROOT / "workbook_templates" / "xlkpi_template.xlsx")


def _formula_texts(value: str) -> list[str]:
    return re.findall(r'"([^"]*)"', value)  # the texts a formula shows


def test_the_readme_sheet_reads_in_chinese(template: openpyxl.Workbook) -> None:
    ws = template[layout.README]
    cells = 0
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if not isinstance(value, str):
                continue
            texts = _formula_texts(value) if value.startswith("=") else [value]
            for text in texts:
                if text not in ("status", "recalculated", "sealed", ""):  # the meta codes
                    assert_chinese(text, f"{layout.README}!{cell.coordinate}")
                    cells += 1
    assert cells > 40


def test_the_policy_sheet_labels_and_notes_read_in_chinese(template: openpyxl.Workbook) -> None:
    ws = template[layout.POLICY]
    label = layout.POLICY_HEADERS.index("名称") + 1
    note = layout.POLICY_HEADERS.index("说明") + 1
    seen = 0
    for row in ws.iter_rows(min_row=layout.FIRST_DATA_ROW):
        for column in (label, note):
            value = row[column - 1].value
            if isinstance(value, str) and value:
                assert_chinese(value, f"{layout.POLICY}!{row[column - 1].coordinate}")
                seen += 1
    assert seen > 100


# --- alerts, problems, notes and errors ----------------------------------------------------------


def test_the_demo_month_s_alerts_read_in_chinese() -> None:
    from xlkpi.engine import compute_month
    from xlkpi.sample_data import demo_month

    messages.set_lang("zh")
    alerts = compute_month(demo_month()).alerts
    assert alerts
    for alert in alerts:
        assert _CJK.search(alert.message), alert
        assert_chinese(alert.message, f"alert {alert.code}")


def test_check_problems_and_notes_read_in_chinese(tmp_path: Path) -> None:
    from tests.cycle_support import set_cell, write_book
    from xlkpi.check import check
    from xlkpi.sample_data import demo_month

    book = write_book(tmp_path / "m.xlsx", demo_month())
    sales, attendance = layout.SALES, layout.ATTENDANCE
    wb = openpyxl.load_workbook(book)
    wb[sales.name][f"{sales.letter('sales')}3"] = "很多"  # not a number
    wb[attendance.name][f"{attendance.letter('lates')}4"] = -2  # negative
    wb[attendance.name][f"{attendance.letter('lates')}5"] = None  # a required blank
    wb[attendance.name][f"{attendance.letter('lates')}6"] = 1.5  # not a whole count
    wb[layout.ROSTER.name][f"{layout.ROSTER.letter('plan')}7"] = "老板"  # not a plan
    wb[layout.ROSTER.name][f"{layout.ROSTER.letter('hire_date')}8"] = "昨天"  # not a date
    wb[sales.name].append(["E99999"])  # an id not on the roster
    wb.save(book)
    set_cell(book, layout.ROSTER.name, "A9", layout.ROSTER.name and "E00001")  # a duplicate id
    report = check(book)
    assert len(report.problems) >= 6
    for p in report.problems:
        assert_chinese(p.message, f"{p.sheet}!{p.cell} message")
        assert_chinese(p.remedy, f"{p.sheet}!{p.cell} remedy")
    for note in report.notes:
        assert_chinese(note, "check note")


def test_month_cycle_and_writer_errors_read_in_chinese(tmp_path: Path) -> None:
    from tests.cycle_support import write_book
    from xlkpi.errors import XlkpiError
    from xlkpi.month_cycle import close, new_month
    from xlkpi.payslips import write_payslips
    from xlkpi.sample_data import demo_month
    from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook

    messages.set_lang("zh")
    book = write_book(tmp_path / "m.xlsx", demo_month())
    (tmp_path / "taken.xlsx").write_bytes(b"")
    cases = [
        lambda: new_month("2026-13", tmp_path / "x.xlsx"),
        lambda: new_month("2026-11", tmp_path / "taken.xlsx"),
        lambda: new_month("2026-11", book, source=book, force=True),
        lambda: new_month("2026-11", tmp_path / "n.xlsx", source=book),
        lambda: new_month("2026-09", tmp_path / "n.xlsx", source=book, force=True),
        lambda: close(book),
        lambda: write_payslips(book, tmp_path / "slips"),
        lambda: patch_workbook(book, tmp_path / "p.xlsx", {"无此表": SheetEdit(values={"A1": 1})}),
    ]
    for i, case in enumerate(cases):
        with pytest.raises(XlkpiError) as info:
            case()
        assert _CJK.search(str(info.value)), (i, str(info.value))
        assert_chinese(str(info.value), f"error {i}")


# Modules whose errors reach a person: no English sentence raised as a literal.
_PERSON_FACING = [
    "xlkpi/month_cycle.py",
    "xlkpi/recalc.py",
    "xlkpi/check.py",
    "xlkpi/payslips.py",
    "xlkpi/addin/macros.py",
    "xlkpi/workbook/xlsx_patch.py",
    "xlkpi/workbook/atomic_file.py",
    "xlkpi/workbook/lock.py",
    "xlkpi/workbook/limits.py",
    "xlkpi/workbook/seal.py",
    "xlkpi/policy.py",
    "xlkpi/scales.py",
    "xlkpi/tax/policy.py",
    "xlkpi/policy_errors.py",
    "xlkpi/policy_io.py",
    "workbook_templates/policy_sheet.py",
]
_DEVELOPER_ERRORS = frozenset(
    {"ValueError", "TypeError", "KeyError", "AssertionError", "NotImplementedError"}
)


def _literal_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            _literal_text(v) if isinstance(v, ast.Constant) else " {x} " for v in node.values
        )
    return ""


@pytest.mark.parametrize("module", _PERSON_FACING)
def test_person_facing_modules_raise_no_english_literal(module: str) -> None:
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in _DEVELOPER_ERRORS or not name.endswith("Error"):
            continue
        for arg in node.exc.args:
            text = _literal_text(arg)
            assert english_sentence(text) is None, f"{module}:{node.lineno}: {text!r}"


# --- the policy's validation messages (tests/broken_policies, as typed on the 参数 sheet) --------

_BROKEN = sorted((ROOT / "tests" / "broken_policies").glob("*.toml"))
_BAND_LEAF = re.compile(r"^(?P<row>.+\.brackets\[\d+\])\.(?P<leaf>threshold|amount|rate)$")


@pytest.fixture(scope="module")
def policy_rows(tmp_path_factory: pytest.TempPathFactory) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    from workbook_templates.policy_sheet import write_policy_sheet
    from xlkpi.policy_io import default_policy

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = layout.POLICY
    write_policy_sheet(ws, default_policy())
    path = tmp_path_factory.mktemp("policy") / "policy.xlsx"
    wb.save(path)
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(layout.POLICY).to_python()


def _cell_value(value: object) -> object:
    from decimal import Decimal

    return float(value) if isinstance(value, Decimal) else value


def _broken_sheet(fixture: dict[str, object], base: list[list[object]]) -> list[list[object]]:
    """The 参数 sheet's rows with the fixture's values typed in (unknown keys as new rows)."""
    rows = [list(row) + [None] * (6 - len(row)) for row in base]
    for path, value in dict(fixture.get("set", {})).items():  # type: ignore[call-overload]
        m = _BAND_LEAF.match(path)
        key, column = (m["row"], 2 if m["leaf"] == "threshold" else 3) if m else (path, 2)
        for row in rows:
            if row[0] == key:
                row[column] = _cell_value(value)
                break
        else:
            rows.append([path, "", _cell_value(value), None, None, None])
    for change in list(fixture.get("change", [])):  # type: ignore[call-overload]
        rows.append(
            [change["path"], "", _cell_value(change["value"]), None, change["effective_from"], None]
        )
    return rows


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", _BROKEN, ids=[p.stem for p in _BROKEN])
def test_every_broken_policy_reads_in_the_book_s_language(
    path: Path, lang: str, policy_rows: list[list[object]]
) -> None:
    import tomllib
    from decimal import Decimal

    from xlkpi.workbook.cells import Problems
    from xlkpi.workbook.reader import _read_policy
    from xlkpi.workbook.sheets import Sheet

    fixture = tomllib.loads(path.read_text("utf-8"), parse_float=Decimal)
    rows = _broken_sheet(fixture, policy_rows)
    problems = Problems(lang)
    assert _read_policy({layout.POLICY: Sheet(layout.POLICY, rows)}, problems) is None
    assert len(problems.items) == 1, problems.items
    problem = problems.items[0]
    assert problem.sheet == layout.POLICY and re.fullmatch(r"[A-F]\d+", problem.cell)
    assert fixture["expect_path"] in problem.message
    if lang == "zh":
        assert problem.message.startswith("参数值不正确：")
        assert fixture["expect_message"] in problem.message
        assert_chinese(problem.message, f"{path.stem} message")
        assert_chinese(problem.remedy, f"{path.stem} remedy")
    else:
        assert fixture["expect_message_en"] in problem.message
        assert not _CJK.search(problem.message.replace(layout.POLICY, "")), problem.message
