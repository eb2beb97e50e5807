"""Money: parsing what people and Excel hand over, half-up rounding, formatting, no floats."""

from __future__ import annotations

import ast
import datetime
import decimal
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from xlkpi.errors import InputError, InvalidNumberError, MissingValueError
from xlkpi.messages import set_lang
from xlkpi.money import D, format_number, format_rate, format_yuan, round_money, to_decimal

ENGINE_MODULES = (
    "money",
    "scales",
    "policy",
    "policy_io",
    "rules",
    "inputs",
    "paylines",
    "payplans",
    "engine",
    "history",
)


@pytest.fixture
def english() -> Iterator[None]:
    """These tests read the English twin of the engine's messages (tests/test_messages.py
    checks the Chinese ones)."""
    set_lang("en")
    yield
    set_lang("zh")


pytestmark = pytest.mark.usefixtures("english")
PACKAGE = Path(__file__).resolve().parent.parent / "xlkpi"


# ---------------------------------------------------------------- to_decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (25000, Decimal("25000")),
        (0, Decimal("0")),
        (-3, Decimal("-3")),
        (0.1, Decimal("0.1")),  # through repr: not 0.1000000000000000055511151231257827
        (1.005, Decimal("1.005")),
        (2.675, Decimal("2.675")),
        (Decimal("12.345"), Decimal("12.345")),
        ("25,000", Decimal("25000")),
        ("¥3,000.50", Decimal("3000.50")),
        ("￥3,000.50", Decimal("3000.50")),
        ("3000元", Decimal("3000")),
        ("RMB 1,200", Decimal("1200")),
        ("３０００", Decimal("3000")),  # full-width digits (NFKC)
        ("８５％", Decimal("0.85")),  # full-width percent sign
        ("85%", Decimal("0.85")),
        ("1.5%", Decimal("0.015")),
        ("  38000  ", Decimal("38000")),
        ("-12.5", Decimal("-12.5")),
    ],
)
def test_to_decimal_accepts(value: object, expected: Decimal) -> None:
    result = to_decimal(value, "sales")
    assert isinstance(result, Decimal)
    assert result == expected
    assert str(result) == str(expected)  # exact digits, not merely equal in value


def test_float_point_one_stays_point_one() -> None:
    assert str(to_decimal(0.1)) == "0.1"
    assert to_decimal(0.1) + to_decimal(0.2) == Decimal("0.3")


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_blank_is_missing_never_zero(value: object) -> None:
    with pytest.raises(MissingValueError, match="sales is blank"):
        to_decimal(value, "sales")


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "12abc",
        "1.2.3",
        True,
        False,
        float("nan"),
        float("inf"),
        "NaN",
        "Infinity",
        Decimal("NaN"),
        datetime.date(2026, 10, 1),
        [1],
    ],
)
def test_not_a_number_is_invalid(value: object) -> None:
    with pytest.raises(InvalidNumberError) as info:
        to_decimal(value, "sales")
    assert "sales" in str(info.value)
    assert "number" in str(info.value)


def test_invalid_number_message_says_what_is_allowed() -> None:
    with pytest.raises(InvalidNumberError, match=r"'abc'.*enter digits such as 25000 or 85%"):
        to_decimal("abc", "sales")


def test_input_errors_are_value_errors() -> None:
    assert issubclass(MissingValueError, InputError)
    assert issubclass(InvalidNumberError, InputError)
    assert issubclass(InputError, ValueError)


def test_d_refuses_floats() -> None:
    assert D("0.02") == Decimal("0.02")
    assert D(3) == Decimal(3)
    with pytest.raises(TypeError):
        D(0.02)  # type: ignore[arg-type]


# ---------------------------------------------------------------- round_money


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("2.345", "2.35"),
        ("2.3449999", "2.34"),
        ("0.005", "0.01"),  # half-up, where half-even would give 0.00
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # half-even would give 0.02
        ("760.005", "760.01"),
        ("-2.345", "-2.35"),  # half away from zero
        ("1410", "1410.00"),
        ("0.004999", "0.00"),
    ],
)
def test_round_money_half_up(amount: str, expected: str) -> None:
    result = round_money(Decimal(amount))
    assert str(result) == expected


def test_round_money_ignores_ambient_context() -> None:
    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_HALF_EVEN
        assert round_money(Decimal("0.125")) == Decimal("0.13")
        ctx.rounding = decimal.ROUND_DOWN
        assert round_money(Decimal("0.125")) == Decimal("0.13")


@pytest.mark.parametrize(
    ("base", "rate", "expected"),
    [
        # real examples where Python's round(float) gives a fen less than half-up
        ("0.75", "0.02", "0.02"),
        ("6.25", "0.02", "0.13"),
        ("12.25", "0.02", "0.25"),
        ("1.25", "0.1", "0.13"),
        ("2.05", "0.1", "0.21"),
    ],
)
def test_half_up_where_float_round_differs(base: str, rate: str, expected: str) -> None:
    exact = round_money(Decimal(base) * Decimal(rate))
    assert str(exact) == expected
    floated = round(float(base) * float(rate), 2)
    assert Decimal(repr(floated)) != exact  # the example is meaningful


# ---------------------------------------------------------------- formatting


def test_formatting() -> None:
    assert format_yuan(Decimal("1410")) == "1,410.00"
    assert format_yuan(Decimal("38000"), "¥") == "¥38,000.00"
    assert format_yuan(Decimal("-50")) == "-50.00"
    assert format_number(Decimal("1.20")) == "1.2"
    assert format_number(Decimal("38000")) == "38,000"
    assert format_number(Decimal("1E+3")) == "1,000"
    assert format_number(Decimal("88.50")) == "88.5"
    assert format_rate(Decimal("0.02")) == "2%"
    assert format_rate(Decimal("0.015")) == "1.5%"
    assert format_rate(Decimal("1")) == "100%"
    assert format_rate(Decimal("0")) == "0%"


# ---------------------------------------------------------------- no float arithmetic


def _float_uses(source: str) -> list[str]:
    """Float arithmetic in a module: float() calls, float literals, round(), math, HALF_EVEN."""
    found: list[str] = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in {"float", "round"}:
                found.append(f"{where}: {node.func.id}() call")
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            found.append(f"{where}: float literal {node.value!r}")
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names]
            module = getattr(node, "module", None) or ""
            if "math" in names or module == "math" or "fractions" in names:
                found.append(f"{where}: imports math/fractions")
            if module == "decimal" and {"getcontext", "setcontext", "ROUND_HALF_EVEN"} & set(names):
                found.append(f"{where}: touches the decimal context / half-even")
        if isinstance(node, ast.Attribute) and node.attr in {"getcontext", "as_integer_ratio"}:
            found.append(f"{where}: .{node.attr}")
    return found


def test_float_scanner_catches_float_arithmetic() -> None:
    planted = (
        "from decimal import Decimal, getcontext\n"
        "import math\n"
        "def pay(x):\n"
        "    return round(float(x) * 0.02, 2)\n"
    )
    found = _float_uses(planted)
    assert any("float() call" in f for f in found)
    assert any("round() call" in f for f in found)
    assert any("float literal 0.02" in f for f in found)
    assert any("math" in f for f in found)
    assert any("decimal context" in f for f in found)
    assert _float_uses("from decimal import Decimal\nx = Decimal('0.02') * 3\n") == []


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_engine_modules_do_no_float_arithmetic(module: str) -> None:
    source = (PACKAGE / f"{module}.py").read_text("utf-8")
    assert _float_uses(source) == []


@pytest.mark.parametrize("module", [m for m in ENGINE_MODULES if m != "money"])
def test_only_money_rounds_half_up(module: str) -> None:
    """ROUND_HALF_UP lives in money.round_money only: no second rounding point for pay."""
    source = (PACKAGE / f"{module}.py").read_text("utf-8")
    assert "ROUND_HALF_UP" not in source
    assert "ROUND_HALF_EVEN" not in source
