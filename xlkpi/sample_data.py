"""Built-in sample data: a realistic month for a small online shop, and synthetic staff at scale.

:func:`demo_month` is the month `xlkpi demo` shows: 38 staff covering every pay plan
of rules.md §B, with names, teams and targets a shop would have. :func:`synthetic_month`
makes any number of staff (deterministic for a seed) for benchmarks and property tests.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from xlkpi.inputs import WORK_GRADES, Employee, HistoryRecord, Month, MonthInput, Shop
from xlkpi.layout import SCORED
from xlkpi.policy import GRADES, PLAN_CODES

DEMO_MONTH = "2026-10"

# The plans the sample months staff: all eleven of rules.md §B. FIRST_VERSION_PLANS are the
# first version's eight; a month staffed on them only leaves the second version's new inputs
# (team share amount, absent months) blank, as an old workbook would.
FIRST_VERSION_PLANS: tuple[str, ...] = PLAN_CODES[:8]
SAMPLE_PLANS: tuple[str, ...] = PLAN_CODES

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉鑫浩宇晨欣怡佳琪雪梅婷"
)

# (plan, how many, base pay, post pay, team) for the demo shop of 30.
_DEMO_STAFF: list[tuple[str, int, int, int, str]] = [
    ("store_manager", 1, 0, 0, "A组"),
    ("ops_specialist", 3, 4500, 800, ""),
    ("designer", 3, 4000, 0, ""),
    ("promotion", 3, 4200, 0, ""),
    ("cs_000", 5, 3000, 0, "A组"),
    ("cs_000", 3, 3000, 0, "B组"),
    ("cs_003", 4, 0, 0, ""),
    ("cs_2017", 4, 0, 2800, ""),
    ("warehouse", 4, 0, 0, ""),
    ("ecom_cs", 2, 0, 3000, "一组"),
    ("ecom_cs", 2, 0, 3000, "二组"),
    ("ecom_other", 2, 0, 3500, ""),
    ("logistics_sales", 2, 6000, 0, ""),
]

# The demo shop's 店铺 sheet: one shop per customer-service group (rules.md A6).
_DEMO_SHOPS: list[tuple[str, int, int, int, int, str]] = [
    ("天猫旗舰店", 186000, 9300, 1200, 200000, "一组"),
    ("京东专营店", 64500, 2100, 400, 100000, "二组"),
]


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _inputs(rng: random.Random, emp: Employee, second: bool = False) -> MonthInput:
    """One employee's random month; ``second`` fills the second version's new inputs too."""
    plan = emp.plan
    sales = {
        "ops_specialist": _money(rng, 5000, 130000),
        "promotion": _money(rng, 10000, 60000),
        "cs_000": _money(rng, 15000, 60000),
        "cs_003": _money(rng, 10000, 60000),
        "cs_2017": _money(rng, 10000, 50000),
        "store_manager": _money(rng, 150000, 300000),
        "logistics_sales": _money(rng, 60000, 140000),
    }.get(plan, Decimal(0))
    score: Decimal | None = Decimal(
        rng.choice((rng.randint(50, 100), rng.randint(60, 100), rng.randint(75, 100)))
    )
    if rng.random() < 0.3:
        score = min(score + Decimal(rng.choice((1, 5))) / 10, Decimal(100))
    if plan not in SCORED:  # doc 002 and the logistics sales plan have no appraisal score
        score = None
    warehouse = plan in ("warehouse", "ecom_cs", "ecom_other")  # the allowance plans
    cs = plan.startswith("cs_")
    return MonthInput(
        employee_id=emp.id,
        score=score,
        lates=rng.choice((0, 0, 0, 1, 2, 3)),
        early_leaves=rng.choice((0, 0, 0, 0, 1)),
        leaves=rng.choice((0, 0, 0, 1)),
        late_minutes=rng.choice((0, 0, 0, 0, 5, 12, 30)),
        personal_leave_days=Decimal(rng.choice((0, 0, 0, 0, 0, 1, 2, 4))),
        sick_leave_days=Decimal(rng.choice((0,) * 8 + (2, 6))),
        absences=Decimal(rng.choice((0,) * 12 + (1,))),
        night_shifts=rng.randint(0, 8) if warehouse else 0,
        late_night_shifts=rng.randint(0, 3) if warehouse else 0,
        overtime_hours=Decimal(rng.choice((0, 2, 4, 6, 12, 16))) if warehouse else Decimal(0),
        holiday_days=Decimal(rng.choice((0, 0, 1, 2))) if warehouse else Decimal(0),
        working_days=Decimal(rng.randint(20, 26)) if plan == "warehouse" else Decimal(0),
        sales=sales,
        returns=(sales * Decimal(rng.choice((0, 1, 2, 3))) / 100).quantize(Decimal("0.01")),
        shipping_paid=Decimal(rng.choice((0, 0, 12, 36))) if sales else Decimal(0),
        target={"store_manager": Decimal(200000), "logistics_sales": Decimal(100000)}.get(plan),
        neutral_fixed=rng.randint(0, 5) if plan == "cs_003" else 0,
        negative_fixed=rng.randint(0, 3) if plan == "cs_003" else 0,
        complaints=rng.choice((0,) * 8 + (1, 2)) if cs else 0,
        chat_violations=rng.choice((0,) * 10 + (1,)) if cs else 0,
        contact_leaks=0,
        special_awards=Decimal(rng.choice((0, 0, 0, 200))) if plan == "designer" else Decimal(0),
        rewards=Decimal(rng.choice((0,) * 6 + (100,))),
        penalties=Decimal(rng.choice((0,) * 8 + (50,))),
        losses=Decimal(rng.choice((0,) * 10 + (30,))) if cs else Decimal(0),
        team_share_amount=(_money(rng, 300, 1500) if plan == "store_manager" and second else None),
        behaviour_score=(
            Decimal(rng.choice(("0.6", "0.8", "1", "1", "1.2")))
            if plan == "logistics_sales"
            else None
        ),
        absent_months=rng.choice((0,) * 10 + (1, 2)) if plan == "cs_2017" and second else 0,
        work_grade=rng.choice(WORK_GRADES) if plan == "ecom_cs" else None,
        grade_rating=rng.choice(GRADES) if plan == "ecom_other" else None,
    )


def _employee(
    rng: random.Random, index: int, plan: str, base: int, post: int, team: str, month: str
) -> Employee:
    year = int(month[:4])
    hired = date(rng.randint(year - 6, year), rng.randint(1, 9), rng.choice((1, 1, 8, 15)))
    return Employee(
        id=f"E{index:05d}",
        name=_name(rng),
        plan=plan,
        hire_date=hired,
        base_pay=Decimal(base),
        post_pay=Decimal(post),
        level=rng.choice(("staff", "staff", "deputy", "assistant")),
        trial=hired.year == year and rng.random() < 0.5,
        team=team,
        rank=rng.choice(("trial", "iron", "iron", "bronze")) if plan.startswith("cs_") else "",
    )


def demo_month(
    month: str = DEMO_MONTH, seed: int = 2026, plans: tuple[str, ...] = SAMPLE_PLANS
) -> Month:
    """The demo shop's month: 38 staff on ``plans`` (all eleven), its shops (店铺), groups."""
    rng = random.Random(seed)
    employees = []
    for plan, count, base, post, team in _DEMO_STAFF:
        if plan not in plans:
            continue
        for _ in range(count):
            employees.append(_employee(rng, len(employees) + 1, plan, base, post, team, month))
    second = not set(plans) <= set(FIRST_VERSION_PLANS)
    inputs = {e.id: _inputs(rng, e, second) for e in employees}
    history = _history(rng, employees, month)
    _stage_alerts(employees, inputs, history, month)
    return Month(
        month=month,
        employees=employees,
        inputs=inputs,
        team_targets={"A组": Decimal(180000), "B组": Decimal(120000)},  # the old 团队目标 sheet
        public_sales=Decimal(400000),
        history=history,
        shops=[
            Shop(name, Decimal(o), Decimal(r), Decimal(f), Decimal(t), g)
            for name, o, r, f, t, g in _DEMO_SHOPS
        ],
    )


def _history(rng: random.Random, employees: list[Employee], month: str) -> list[HistoryRecord]:
    """Two closed months before ``month``, so the across-months rules have something to see."""
    from xlkpi.history import previous_month

    records = []
    m = month
    for _ in range(2):
        m = previous_month(m)
        for emp in employees:
            score = Decimal(rng.randint(55, 100))
            grade = (
                "excellent"
                if score >= 90
                else "good"
                if score >= 80
                else ("pass" if score >= 60 else "fail")
            )
            pay = emp.base_pay + emp.post_pay  # the 个税 ledger: a plausible month's income
            records.append(
                HistoryRecord(m, emp.id, score, grade, Decimal(1), pay, emp.rank, gross=pay)
            )
    return records


def _stage_alerts(
    employees: list[Employee],
    inputs: dict[str, MonthInput],
    history: list[HistoryRecord],
    month: str,
) -> None:
    """Make the demo show the across-months rules: a warning, a reward, a promotion."""
    from dataclasses import replace

    from xlkpi.history import previous_month

    def first(plan: str) -> Employee:
        return next(e for e in employees if e.plan == plan)

    last = previous_month(month)
    staged = {
        # two months in a row below 65 → the document-003 dismissal warning
        first("cs_003").id: (Decimal(62), {last: Decimal(58)}),
        # three months in a row excellent → the one-off 200 reward
        first("cs_2017").id: (Decimal(96), {last: Decimal(93), previous_month(last): Decimal(91)}),
    }
    for i, record in enumerate(history):
        scores = staged.get(record.employee_id, (None, {}))[1]
        if record.month in scores:
            score = scores[record.month]
            grade = "excellent" if score >= 90 else "fail" if score < 60 else "pass"
            history[i] = replace(record, score=score, grade=grade)
    for employee_id, (score, _past) in staged.items():
        inputs[employee_id] = replace(inputs[employee_id], score=score)


def synthetic_month(
    n: int, month: str = DEMO_MONTH, seed: int = 7, plans: tuple[str, ...] = SAMPLE_PLANS
) -> Month:
    """``n`` staff spread over ``plans`` (deterministic), with one shop per team, for
    benchmarks and tests."""
    rng = random.Random(seed)
    teams = [f"T{i:03d}" for i in range(max(1, n // 10))]
    bases = {
        "designer": 4000,
        "promotion": 4200,
        "cs_000": 3000,
        "ops_specialist": 4500,
        "logistics_sales": 6000,
    }
    posts = {"cs_2017": 2800, "ops_specialist": 800, "ecom_cs": 3000, "ecom_other": 3500}
    employees = []
    for i in range(n):
        plan = plans[i % len(plans)]
        team = teams[(i // len(plans)) % len(teams)]  # every plan in every team
        post = posts.get(plan, 0)
        employees.append(_employee(rng, i + 1, plan, bases.get(plan, 0), post, team, month))
    second = not set(plans) <= set(FIRST_VERSION_PLANS)
    inputs = {e.id: _inputs(rng, e, second) for e in employees}
    return Month(
        month=month,
        employees=employees,
        inputs=inputs,
        team_targets={t: Decimal(60000) for t in teams},  # the old 团队目标 sheet
        public_sales=Decimal(n * 10000),
        history=_history(rng, employees, month),
        shops=[
            Shop(
                f"店铺{t}",
                _money(rng, 30000, 90000),
                _money(rng, 0, 3000),
                Decimal(0),
                Decimal(60000),
                t,
            )
            for t in teams
        ],
    )
