"""Formula twins of the tax rules: withholding, year-end bonus tax and contributions as formulas.

What a payroll clerk would type into a spreadsheet without xlkpi: a Policy sheet with the tax
tables and city values as defined names, and one sheet per rule with input rows and formula
columns. The withholding sheet takes the cumulative columns as inputs (cumulative income,
months employed, cumulative special deductions, additional and other deductions, tax withheld
before); the Year sheet builds those columns itself with running SUMs over one employee's
months. LibreOffice recalculates and :func:`compare` checks every value against the engine.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from xlkpi.policy import Policy
from xlkpi.tax.contributions import INDIVIDUAL, contributions
from xlkpi.tax.withholding import YearToDate, bonus_tax, withhold, withholding_schedule

CENT = Decimal("0.01")
ZERO_ = Decimal(0)
Row = list[Decimal]


@dataclass(frozen=True)
class Sheet:
    """One twin sheet: input headers, formula templates (``{r}`` = row), rows, engine values."""

    name: str
    inputs: list[str]
    formulas: dict[str, str]
    rows: list[Row]
    engine: Callable[[int, Row], list[Decimal]]


def _policy_sheet(wb: xlsxwriter.Workbook, policy: Policy) -> None:
    ws = wb.add_worksheet("Policy")
    tax = policy.tax
    city = tax.contributions.current
    row = 0

    def block(prefix: str, bands: list[tuple[Decimal, Decimal, Decimal]]) -> None:
        nonlocal row
        first = row
        for band in bands:
            ws.write_row(row, 0, [float(v) for v in band])
            row += 1
        for col, suffix in enumerate(("Thr", "Rate", "Quick")):
            letter = "ABC"[col]
            wb.define_name(f"{prefix}_{suffix}", f"=Policy!${letter}${first + 1}:${letter}${row}")

    block("P_Tax", [(b.threshold, b.rate, b.quick_deduction) for b in tax.annual_table.bands])
    block(
        "P_Bonus", [(b.threshold, b.rate, b.quick_deduction) for b in tax.bonus.monthly_table.bands]
    )
    scalars = {
        "P_Tax_Basic": tax.basic_deduction,
        "P_Bonus_Div": Decimal(tax.bonus.divisor),
        "P_SI_Floor": city.social_floor,
        "P_SI_Ceil": city.social_ceiling,
        "P_HF_Floor": city.housing_floor,
        "P_HF_Ceil": city.housing_ceiling,
        "P_Pension": city.pension,
        "P_Medical": city.medical,
        "P_MedFixed": city.medical_fixed,
        "P_Unemp": city.unemployment,
        "P_HF": city.housing_fund,
    }
    for name, value in scalars.items():
        ws.write_string(row, 0, name)
        ws.write_number(row, 1, float(value))
        wb.define_name(name, f"=Policy!$B${row + 1}")
        row += 1


def _tax(x: str, prefix: str) -> str:
    """Tax on ``x`` by a table whose bands apply *above* their thresholds (COUNTIF strictly <)."""
    idx = f'MAX(1,COUNTIF({prefix}_Thr,"<"&{x}))'
    return f"MAX(0,{x}*INDEX({prefix}_Rate,{idx})-INDEX({prefix}_Quick,{idx}))"


def _withholding_sheet(rng: random.Random) -> Sheet:
    rows: list[Row] = []
    thresholds = [0, 36000, 144000, 300000, 420000, 660000, 960000]
    for months in range(1, 13):
        for t in thresholds:
            for delta in ("-0.01", "0", "0.01"):
                taxable = Decimal(t) + Decimal(delta)
                if taxable < 0:
                    continue
                income = taxable + 5000 * months + 1000
                rows.append([income, Decimal(months), Decimal(600), Decimal(400), ZERO_, ZERO_])
    # half-fen ties: taxable 5,000.50 × 3% = 150.015; 40,000.05 × 10% − 2,520 = 1,480.005
    for taxable in ("5000.50", "40000.05", "150000.05", "1000.50"):
        rows.append([Decimal(taxable) + 5000, Decimal(1), ZERO_, ZERO_, ZERO_, ZERO_])
    for _ in range(400):
        months = rng.randint(1, 12)
        income = Decimal(rng.randint(0, 150000 * months * 100)) / 100
        withheld = Decimal(rng.randint(0, 20000 * months * 100)) / 100
        rows.append(
            [
                income,
                Decimal(months),
                Decimal(rng.randint(0, 3000 * months * 100)) / 100,
                Decimal(rng.randint(0, 5000 * months)),
                Decimal(rng.randint(0, 200 * months)),
                withheld,
            ]
        )

    def engine(_: int, row: Row) -> list[Decimal]:
        income, months, ded, add, other, withheld = row
        w = withhold(YearToDate(months=int(months) - 1, withheld=withheld), income, ded, add, other)
        return [w.taxable.quantize(CENT), w.tax_due, w.tax]

    taxable = "MAX(0,A{r}-P_Tax_Basic*B{r}-C{r}-D{r}-E{r})"
    return Sheet(
        "Withholding",
        ["cum income", "months", "cum deductions", "cum additional", "cum other", "withheld"],
        {
            "taxable": f"=ROUND({taxable},2)",
            "tax due": "=ROUND(" + _tax("G{r}", "P_Tax") + ",2)",
            "this month": "=ROUND(MAX(0," + _tax("G{r}", "P_Tax") + "-F{r}),2)",
        },
        rows,
        engine,
    )


def _year_sheet(rng: random.Random) -> Sheet:
    """Twelve months of one employee; the cumulative columns are running sums of the inputs."""
    incomes = [Decimal(rng.randint(0, 6000000)) / 100 for _ in range(12)]
    incomes[5] = Decimal(0)  # a month with no income after high ones
    incomes[2] = Decimal(90000)
    deductions = [Decimal(rng.randint(0, 300000)) / 100 for _ in range(12)]
    additional = [Decimal(rng.choice([0, 1000, 2000, 3000, 5000])) for _ in range(12)]
    rows = [[incomes[k], deductions[k], additional[k]] for k in range(12)]
    schedule = withholding_schedule(incomes, deductions, additional)

    def engine(k: int, _: Row) -> list[Decimal]:
        return [schedule[k]]

    cum_taxable = "MAX(0,SUM(A$2:A{r})-P_Tax_Basic*(ROW()-1)-SUM(B$2:B{r})-SUM(C$2:C{r}))"
    return Sheet(
        "Year",
        ["income", "deductions", "additional"],
        {"withheld": "=ROUND(MAX(0," + _tax(cum_taxable, "P_Tax") + "-SUM(D$1:D{p})),2)"},
        rows,
        engine,
    )


def _bonus_sheet(rng: random.Random) -> Sheet:
    rows: list[Row] = []
    for t in (0, 3000, 12000, 25000, 35000, 55000, 80000):
        for delta in ("-0.01", "0", "0.01", "1"):
            value = Decimal(t) * 12 + Decimal(delta)
            if value >= 0:
                rows.append([value])
    rows += [[Decimal(rng.randint(0, 200000000)) / 100] for _ in range(300)]
    rows.append([Decimal("36000.50")])  # × 10% = 3,600.05 − 210: no tie, but above the edge
    idx = 'MAX(1,COUNTIF(P_Bonus_Thr,"<"&(A{r}/P_Bonus_Div)))'
    formula = f"=ROUND(MAX(0,A{{r}}*INDEX(P_Bonus_Rate,{idx})-INDEX(P_Bonus_Quick,{idx})),2)"
    return Sheet("Bonus", ["bonus"], {"tax": formula}, rows, lambda _, row: [bonus_tax(row[0])])


def _contribution_sheet(rng: random.Random) -> Sheet:
    bases = [0, 1, 2500, 4499.99, 4500, 5001, 7777, 24999.99, 25000, 25000.01, 30000, 40000]
    rows = [[Decimal(str(b))] for b in bases]
    rows += [[Decimal(rng.randint(0, 5000000)) / 100] for _ in range(300)]
    rows += [[Decimal(1000 * k + 1)] for k in range(5, 25)]  # x001 × 0.5% ends in .005

    def engine(_: int, row: Row) -> list[Decimal]:
        shares = contributions(row[0])
        return [shares[k] for k in INDIVIDUAL]

    social = "IF(A{r}<=0,0,MIN(MAX(A{r},P_SI_Floor),P_SI_Ceil))"
    housing = "IF(A{r}<=0,0,MIN(MAX(A{r},P_HF_Floor),P_HF_Ceil))"
    return Sheet(
        "Contributions",
        ["base"],
        {
            "pension": f"=ROUND({social}*P_Pension,2)",
            "medical": f"=IF(A{{r}}<=0,0,ROUND({social}*P_Medical+P_MedFixed,2))",
            "unemployment": f"=ROUND({social}*P_Unemp,2)",
            "housing fund": f"=ROUND({housing}*P_HF,2)",
        },
        rows,
        engine,
    )


def sheets(seed: int) -> list[Sheet]:
    """The four twin sheets, with random rows from ``seed`` plus every boundary and tie."""
    rng = random.Random(seed)
    return [
        _withholding_sheet(rng),
        _year_sheet(rng),
        _bonus_sheet(rng),
        _contribution_sheet(rng),
    ]


def build(path: Path, twins: list[Sheet], policy: Policy) -> Path:
    """Write the twin workbook (formulas only, no cached values) at ``path``."""
    wb = xlsxwriter.Workbook(str(path))
    _policy_sheet(wb, policy)
    for sheet in twins:
        ws = wb.add_worksheet(sheet.name)
        ws.write_row(0, 0, [*sheet.inputs, *sheet.formulas])
        for i, row in enumerate(sheet.rows):
            r = i + 2
            for col, value in enumerate(row):
                ws.write_number(i + 1, col, float(value))
            for j, template in enumerate(sheet.formulas.values()):
                formula = template.replace("{r}", str(r)).replace("{p}", str(r - 1))
                ws.write_formula(i + 1, len(sheet.inputs) + j, formula, None, 0)
    wb.close()
    return path


def compare(twins: list[Sheet], workbook: Path) -> tuple[int, list[str]]:
    """Compare every formula value LibreOffice computed with the engine, to the fen."""
    book = CalamineWorkbook.from_path(str(workbook))
    compared, problems = 0, []
    for sheet in twins:
        values = book.get_sheet_by_name(sheet.name).to_python()
        for i, row in enumerate(sheet.rows):
            got = values[i + 1][len(sheet.inputs) :]
            want = sheet.engine(i, row)
            for name, cell, expected in zip(sheet.formulas, got, want, strict=True):
                compared += 1
                actual = Decimal(repr(cell)).quantize(CENT) if isinstance(cell, float) else cell
                if actual != expected:
                    problems.append(
                        f"{sheet.name} row {i + 2} {name}: {row} → {cell}, engine {expected}"
                    )
    return compared, problems
