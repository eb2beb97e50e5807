"""The pay policy as validated data: every number of rules.md, with the month it takes effect.

Rule code never sees a literal: it reads a resolved :class:`Policy`. A policy may carry
``changes`` (a value at a key path from a month on); ``policy.at("2026-12")`` applies the
changes in force in that month and returns a policy without pending changes, so a rate
changed from next month leaves past months computing as they did.

Validation rejects what HR could get wrong and names the key path of the offending value,
e.g. ``commission.ops_progressive.brackets[2].rate``. Field titles are the Chinese labels
the Policy sheet shows; ``note`` marks a **Reading** of rules.md or an example value.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from xlkpi.policy_errors import PolicyValueError, policy_error
from xlkpi.scales import AmountScale, MarginalRateScale
from xlkpi.tax.policy import TaxPolicy

PLAN_CODES: tuple[str, ...] = (
    "designer",
    "promotion",
    "cs_000",
    "cs_003",
    "store_manager",
    "ops_specialist",
    "warehouse",
    "cs_2017",
    "ecom_cs",
    "ecom_other",
    "logistics_sales",
)
PlanCode = Literal[
    "designer",
    "promotion",
    "cs_000",
    "cs_003",
    "store_manager",
    "ops_specialist",
    "warehouse",
    "cs_2017",
    "ecom_cs",
    "ecom_other",
    "logistics_sales",
]
LEVELS: tuple[str, ...] = ("assistant", "deputy", "staff")
GRADES: tuple[str, ...] = ("fail", "pass", "good", "excellent")
WORK_GRADES: tuple[str, ...] = ("tier1", "tier2", "tier3")
MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

Money = Decimal
Rate = Decimal


def _note(text: str) -> dict[str, Any]:
    return {"note": text}


class Section(BaseModel):
    """Base of every policy section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_negative(cls, value: Any, info: Any) -> Any:
        if isinstance(value, Decimal) and value < 0:
            raise PolicyValueError("policy.negative", value=value)
        return value


def _plan_list(value: list[str]) -> list[str]:
    for plan in value:
        if plan not in PLAN_CODES:
            raise PolicyValueError("policy.unknown_plan", plan=plan, choices=PLAN_CODES)
    return value


def _rate(value: Decimal) -> Decimal:
    if not Decimal(0) <= value <= Decimal(1):
        raise PolicyValueError("policy.not_rate", value=value)
    return value


class ScorePolicy(Section):
    """Score limits and the weighted-score splits (rules.md A8)."""

    maximum: Decimal = Field(
        title="评分上限(全部岗位中最高)",
        description="highest score any plan allows (100% + 20% extra, document 003)",
    )
    standard_maximum: Decimal = Field(
        title="评分上限(一般岗位)", description="a plan not listed in plan_maximum: 100"
    )
    plan_maximum: dict[str, Decimal] = Field(
        title="评分上限(按岗位)",
        description="document 003's plans allow 100% + 20%: 120",
    )
    logistics_sales_weight: Rate = Field(
        title="物流:业绩结果权重",
        description="60%",
        json_schema_extra=_note(
            "参考值：文件001的物流考核比例，§B无岗位直接引用；公式LOGISTICS_SCORE可合成考核分"
        ),
    )
    supervisor_weight: Rate = Field(title="主管抽查权重", description="supervisor share, 75%")
    self_weight: Rate = Field(title="自评权重", description="self-assessment share, 25%")
    logistics_department_weight: Rate = Field(title="物流:部门考核权重", description="40%")
    logistics_quantitative_weight: Rate = Field(
        title="物流:定量权重",
        description="7 of 10",
        json_schema_extra=_note("参考值：物流部KPI卡（定量）与定性评价的合成，公式LOGISTICS_SCORE"),
    )
    logistics_qualitative_weight: Rate = Field(title="物流:定性权重", description="3 of 10")

    _rates = field_validator(
        "supervisor_weight",
        "self_weight",
        "logistics_sales_weight",
        "logistics_department_weight",
        "logistics_quantitative_weight",
        "logistics_qualitative_weight",
    )(_rate)

    @model_validator(mode="after")
    def _maxima(self) -> ScorePolicy:
        for plan, top in {"standard_maximum": self.standard_maximum, **self.plan_maximum}.items():
            if plan != "standard_maximum" and plan not in PLAN_CODES:
                raise PolicyValueError(
                    "policy.unknown_plan_key", f"plan_maximum.{plan}", choices=PLAN_CODES
                )
            if top > self.maximum:
                sub = f"plan_maximum.{plan}" if plan != "standard_maximum" else plan
                raise PolicyValueError("policy.above_maximum", sub, value=top, maximum=self.maximum)
        return self

    def maximum_for(self, plan: str) -> Decimal:
        """The highest valid score on ``plan`` (rules.md conventions: 120 only on doc 003's)."""
        return self.plan_maximum.get(plan, self.standard_maximum)

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> ScorePolicy:
        pairs = [
            ("supervisor_weight", "self_weight"),
            ("logistics_sales_weight", "logistics_department_weight"),
            ("logistics_quantitative_weight", "logistics_qualitative_weight"),
        ]
        for a, b in pairs:
            total = getattr(self, a) + getattr(self, b)
            if total != 1:
                raise PolicyValueError("policy.weights_pair", first=a, second=b, total=total)
        return self


class AttendancePolicy(Section):
    """Full-attendance bonus, document 000 variant (rules.md A3)."""

    bonus_rate: Rate = Field(title="全勤奖比例", description="share of base pay, 10%")
    cancel_at_count: int = Field(
        title="取消全勤:迟到早退请假次数", description="lates + early leaves + leaves that cancel"
    )
    cancel_at_absence_days: Decimal = Field(
        title="取消全勤:旷工天数",
        description="absence days that cancel",
        json_schema_extra=_note("解读：“无故旷工一天以上”按任何旷工（1天）计"),
    )
    _r = field_validator("bonus_rate")(_rate)


class StrictAttendancePolicy(Section):
    """Full-attendance bonus, document 001 operations-specialist variant (rules.md A3)."""

    amount: Money = Field(
        title="全勤奖金额(运营专员)",
        description="amount paid",
        json_schema_extra=_note("示例值：文件没有给出金额"),
    )
    max_late_times: int = Field(title="迟到早退最多次数", description="≤ 1 time")
    max_late_minutes: Decimal = Field(title="迟到总分钟数(小于)", description="< 10 minutes")


class PerfBonusPolicy(Section):
    """Performance bonus: a pot of base pay paid out by score band (rules.md A2)."""

    pot_rate: Rate = Field(title="绩效奖金比例", description="20% of base pay")
    ratio: AmountScale = Field(
        title="绩效奖金发放比例",
        description="share of the pot by score",
        json_schema_extra=_note(
            "解读：80分以上=满额（原文三次如此，第二版）；删去自相矛盾的“6070=80%”"
        ),
    )
    five_step_ratio: AmountScale = Field(
        title="绩效奖金发放比例(备选:五档表)",
        description="the usual template's five steps; copy its rows into ratio to use it",
        json_schema_extra=_note(
            "备选，不生效：90分以上100%、80-90分80%；每个80-89.99分比默认表少发"
        ),
    )
    _r = field_validator("pot_rate")(_rate)


class TeamPolicy(Section):
    """The e-commerce department's pool, level shares, group and grade bonuses (rules.md A6)."""

    pool_plans: list[str] = Field(
        title="平分提成池的岗位", description="staff who split the department's pool evenly"
    )
    share_plans: list[str] = Field(
        title="按级别分享平均提成的岗位", description="level share of the average commission"
    )
    public_pool_plans: list[str] = Field(
        title="分享公共提成的岗位", description="document 001's public pool, one share each"
    )
    pool_rate: AmountScale = Field(
        title="团队提成比例", description="pool = all shops' sales × rate(completion)"
    )
    level_share: dict[str, Rate] = Field(
        title="非客服人员提成系数", description="share of the average customer-service commission"
    )
    group_bonus: AmountScale = Field(title="小组绩效奖金", description="by completion")
    grade_bonus: dict[str, Money] = Field(title="等级奖金", description="other departments")

    _plans = field_validator("pool_plans", "share_plans", "public_pool_plans")(_plan_list)

    @field_validator("level_share")
    @classmethod
    def _levels(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for level, share in value.items():
            if level not in LEVELS:
                raise PolicyValueError("policy.unknown_level", level=level, choices=LEVELS)
            _rate(share)
        return value

    @field_validator("grade_bonus")
    @classmethod
    def _grades(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for grade, amount in value.items():
            if grade not in GRADES:
                raise PolicyValueError("policy.unknown_grade", grade=grade, choices=GRADES)
            if amount < 0:
                raise PolicyValueError("policy.negative_value", grade, value=amount)
        return value


class ReviewPolicy(Section):
    """Review repair piece rates (rules.md A7)."""

    neutral: Money = Field(title="中评修改单价", description="per neutral review changed")
    negative: Money = Field(title="差评修改单价", description="per negative review changed")


class AllowancePolicy(Section):
    """Allowances, overtime and holiday duty (rules.md A9)."""

    lunch_per_day: Money = Field(title="午餐补贴/天", description="per working day")
    night_shift: Money = Field(title="夜班补贴/晚", description="per night")
    late_night_shift: Money = Field(title="深夜补贴/晚", description="leaving after 2:00")
    overtime_per_day: Money = Field(title="加班费/天", description="per overtime day")
    overtime_hours_per_day: Decimal = Field(
        title="加班每天小时数",
        description="hours in an overtime day",
        json_schema_extra=_note("解读：一天按8小时计，每小时 80 ÷ 8 = 10 元"),
    )
    overtime_minimum_hours: Decimal = Field(
        title="加班起算小时数", description="below this in the month nothing is paid"
    )
    holiday_per_day: Money = Field(title="法定节假日值班/天", description="per holiday duty day")
    plans: list[str] = Field(
        title="有夜班/深夜/加班/值班补贴的岗位",
        description="documents 001 (warehouse) and 002 (the whole e-commerce department)",
        json_schema_extra=_note("文件002：津贴表紫色部分需和公司有关部门确认后开始执行"),
    )
    lunch_plans: list[str] = Field(title="有午餐补贴的岗位", description="document 001")
    _plans = field_validator("plans", "lunch_plans")(_plan_list)

    @model_validator(mode="after")
    def _hours(self) -> AllowancePolicy:
        if self.overtime_hours_per_day <= 0:
            raise PolicyValueError("policy.not_positive", "overtime_hours_per_day")
        return self


class FinePolicy(Section):
    """Fines and deductions (rules.md A10)."""

    complaint_fines: list[Money] = Field(
        title="客诉罚款(第1次,第2次…)", description="first 50, second doubles"
    )
    complaint_dismissal_at: int = Field(title="客诉劝退次数", description="third → dismissal")
    plans: list[str] = Field(
        title="适用客诉/违纪罚款的岗位", description="document 001's customer-service rules"
    )
    dismissal_plans: list[str] = Field(title="适用客诉劝退的岗位")
    _plans = field_validator("plans", "dismissal_plans")(_plan_list)
    chat_per_time: Money = Field(title="上班闲聊罚款/次", description="per time")
    leak_per_time: Money = Field(title="泄露同事联系方式罚款/次", description="per time")

    @field_validator("complaint_fines")
    @classmethod
    def _fines(cls, value: list[Decimal]) -> list[Decimal]:
        for i, amount in enumerate(value):
            if amount < 0:
                raise PolicyValueError("policy.negative_fine", f"[{i}]", value=amount)
        return value


class DisciplinePolicy(Section):
    """Discipline points (document 004) and the customer-service attendance item (000)."""

    per_missed_meeting: Decimal = Field(title="缺席会议扣分/次")
    lates_per_point: int = Field(title="迟到早退几次扣1分")
    per_absence: Decimal = Field(title="旷工扣分/次")
    per_dress_breach: Decimal = Field(title="着装违规扣分/次")
    per_hygiene_failure: Decimal = Field(title="卫生不合格扣分/次")
    cs_attendance_item_points: Decimal = Field(title="客服考勤项分值")
    cs_attendance_per_late: Decimal = Field(title="客服考勤:迟到早退扣分/次")
    cs_attendance_per_leave: Decimal = Field(title="客服考勤:请假扣分/次")
    cs_attendance_absence_zeroes: bool = Field(
        title="客服考勤:旷工该项为0",
        json_schema_extra=_note("解读：无故旷工时该项为0分"),
    )


class Rung(Section):
    """One rung of the customer-service rank ladder."""

    name: str
    label: str
    min_tenure_months: int
    min_score: Decimal
    needs_approval: bool = True
    example: bool = False


class RankPolicy(Section):
    """Customer-service rank ladder (rules.md A11); higher rungs are example values."""

    plans: list[str] = Field(title="适用岗位")
    ladder: list[Rung] = Field(title="客服等级")

    @field_validator("ladder")
    @classmethod
    def _ladder(cls, value: list[Rung]) -> list[Rung]:
        if not value:
            raise PolicyValueError("policy.empty_ladder")
        for i in range(1, len(value)):
            if value[i].min_tenure_months < value[i - 1].min_tenure_months:
                raise PolicyValueError(
                    "policy.ladder_order",
                    f"[{i}].min_tenure_months",
                    value=value[i].min_tenure_months,
                    previous=value[i - 1].min_tenure_months,
                )
        return value


class WarningRule(Section):
    """A dismissal warning: ``months`` in a row below ``below_score`` (or graded ``fail``)."""

    code: str
    label: str
    plans: list[str]
    months: int = Field(ge=1)
    below_score: Decimal | None = None
    grade: str | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> WarningRule:
        if (self.below_score is None) == (self.grade is None):
            raise PolicyValueError("policy.one_condition", score="below_score", grade="grade")
        if self.grade is not None and self.grade not in GRADES:
            raise PolicyValueError("policy.unknown_grade", grade=self.grade, choices=GRADES)
        return self


class StreakReward(Section):
    """One-off reward after ``months`` in a row graded ``grade`` (rules.md A11)."""

    plans: list[str] = Field(title="适用岗位")
    grade: str = Field(title="等级")
    months: int = Field(title="连续月数", ge=1)
    amount: Money = Field(title="一次性奖励")


class GradePolicy(Section):
    """Appraisal grade by score: the lowest score of each grade (example values)."""

    pass_from: Decimal = Field(
        title="及格分数线", json_schema_extra=_note("示例值：文件001的表已缺失")
    )
    good_from: Decimal = Field(title="良好分数线", json_schema_extra=_note("示例值"))
    excellent_from: Decimal = Field(title="优秀分数线", json_schema_extra=_note("示例值"))

    @model_validator(mode="after")
    def _ordered(self) -> GradePolicy:
        if not self.pass_from < self.good_from < self.excellent_from:
            raise PolicyValueError(
                "policy.grades_rise",
                first="pass_from",
                second="good_from",
                third="excellent_from",
                a=self.pass_from,
                b=self.good_from,
                c=self.excellent_from,
            )
        return self


class YearEndPolicy(Section):
    """Year-end bonus base by months of continuous service (rules.md A9)."""

    base_by_tenure: AmountScale = Field(
        title="年终奖基数(按连续服务月数)",
        description="× post coefficient × the average of the year's monthly coefficients",
    )
    post_coefficient: Decimal = Field(
        title="岗位系数", json_schema_extra=_note("另一版本的岗位系数；1 = 不使用")
    )


class DesignerPlan(Section):
    """美工 designer (000): base + attendance + performance bonus + special awards."""


class PromotionPlan(Section):
    """推广 promotion specialist (000): base + attendance + performance bonus + commission."""

    commission_schedule: str = Field(
        title="提成方案", json_schema_extra=_note("示例值：文件000没有给出比例")
    )


class Cs000Plan(Section):
    """客服 (000): base + attendance + performance bonus + commission (its own example rate)."""

    commission_schedule: str = Field(
        title="提成方案",
        json_schema_extra=_note("示例值：文件000提到提成但没有给出比例"),
    )


class Cs003Plan(Section):
    """客服 (003): 500 × coefficient + 2% × sales + review piece rates ± rewards/penalties."""

    base_amount: Money = Field(title="底薪")
    commission_schedule: str = Field(title="提成方案")


class StoreManagerPlan(Section):
    """店长 (003): 1800 × task coefficient + team performance share ± rewards/penalties."""

    base_amount: Money = Field(title="底薪")
    task_coefficient_cap: Decimal = Field(
        title="任务完成系数上限", json_schema_extra=_note("示例值")
    )
    team_share_mode: Literal["entered", "level_share"] = Field(
        title="团队业绩分成方式",
        description="entered: the amount on the sales sheet; level_share: A6 level share",
        json_schema_extra=_note(
            "解读：文件003未定义团队业绩分成，默认为业绩表录入金额（entered）；"
            "level_share = 电商部客服平均提成×级别系数"
        ),
    )


class OpsSpecialistPlan(Section):
    """运营专员 (001): base + post + seniority + attendance + performance + progressive bonus."""

    seniority_per_year: Money = Field(title="工龄工资/年")
    perf_pot_rate: Rate = Field(
        title="绩效工资比例",
        json_schema_extra=_note("解读：20% × 底薪 × 分数 / 100（原文被截断）"),
    )
    commission_schedule: str = Field(title="业绩奖金方案")
    _r = field_validator("perf_pot_rate")(_rate)


class WarehousePlan(Section):
    """仓库/物流 (001): base + appraisal bonus + seniority + lunch + shift and overtime pay."""

    base_trial: Money = Field(title="试用期底薪")
    base_regular: Money = Field(title="转正底薪")
    appraisal_base: Money = Field(title="月度考核奖基数")
    cancel_personal_leave_days: Decimal = Field(title="事假超过天数取消考核奖")
    cancel_sick_leave_days: Decimal = Field(title="病假超过天数取消考核奖")
    cancel_absence_days: Decimal = Field(
        title="旷工天数(达到即取消考核奖)",
        description="this many days of unexcused absence or more cancel (旷工1天取消)",
    )
    seniority_per_year: Money = Field(title="工龄工资/年")


class Cs2017Plan(Section):
    """客服 2017 standard (001): post pay + commission + public pool share + seniority − losses."""

    commission_schedule: str = Field(title="个人提成方案")
    public_pool_schedule: str = Field(title="公共提成方案")
    seniority_per_year: Money = Field(
        title="工龄工资/年", json_schema_extra=_note("示例值：文件没有给出比例")
    )
    max_absent_months: int = Field(
        title="考核期缺勤月数上限",
        description="more months absent than this: not appraised (第2条)",
        ge=0,
    )


class EcomCsPlan(Section):
    """电商部客服 (002): post + work award + group bonus + pool share + allowances ± rest."""

    work_award: dict[str, Money] = Field(
        title="工作表现奖", description="three grades rated by the supervisor: 300 / 400 / 500"
    )
    trial_operation: bool = Field(
        title="试运营阶段",
        description="true: post pay + work award only (change it from a month on)",
    )

    @field_validator("work_award")
    @classmethod
    def _tiers(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for tier, amount in value.items():
            if tier not in WORK_GRADES:
                raise PolicyValueError("policy.unknown_grade", grade=tier, choices=WORK_GRADES)
            if amount < 0:
                raise PolicyValueError("policy.negative_value", tier, value=amount)
        return value


class EcomOtherPlan(Section):
    """电商部其他岗位 (002): post + level share of the average commission + grade bonus."""


class LogisticsSalesPlan(Section):
    """物流营销 (001): wage × 80% + wage × 15% × completion + wage × 5% × behaviour."""

    fixed_rate: Rate = Field(title="固定部分比例", description="80% of the monthly wage")
    results_rate: Rate = Field(title="业绩考核比例", description="15% of the wage")
    behaviour_rate: Rate = Field(title="行为考核比例", description="5% of the wage")
    completion_cap: Decimal = Field(
        title="业绩完成率上限", json_schema_extra=_note("示例值：原文公式有误")
    )
    behaviour_max: Decimal = Field(title="行为考核系数上限", description="outstanding: 1.2")
    new_staff_months: int = Field(
        title="未满几个月不考核", description="less than one full month: not appraised", ge=0
    )
    new_staff_factor: Decimal = Field(
        title="不考核时的系数",
        json_schema_extra=_note("解读：1 = 不奖不罚"),
    )
    _r = field_validator("fixed_rate", "results_rate", "behaviour_rate")(_rate)

    @model_validator(mode="after")
    def _whole_wage(self) -> LogisticsSalesPlan:
        total = self.fixed_rate + self.results_rate + self.behaviour_rate
        if total != 1:
            raise PolicyValueError(
                "policy.rates_whole",
                first="fixed_rate",
                second="results_rate",
                third="behaviour_rate",
                total=total,
            )
        return self


class Plans(Section):
    """One pay plan per role in rules.md §B."""

    designer: DesignerPlan
    promotion: PromotionPlan
    cs_000: Cs000Plan
    cs_003: Cs003Plan
    store_manager: StoreManagerPlan
    ops_specialist: OpsSpecialistPlan
    warehouse: WarehousePlan
    cs_2017: Cs2017Plan
    ecom_cs: EcomCsPlan
    ecom_other: EcomOtherPlan
    logistics_sales: LogisticsSalesPlan


class ScorecardItem(Section):
    """One appraisal item: its code, label and maximum points (its weight)."""

    code: str
    label: str
    points: Decimal
    extra: Decimal = Decimal(0)

    @property
    def maximum(self) -> Decimal:
        """Most points the item can give: its weight plus any over-achievement allowance."""
        return self.points + self.extra


class Scorecard(Section):
    """An appraisal table of rules.md §C; item points add up to ``total`` (normally 100)."""

    label: str
    plans: list[str]
    total: Decimal
    items: list[ScorecardItem]
    note: str | None = None

    @model_validator(mode="after")
    def _weights(self) -> Scorecard:
        codes = [item.code for item in self.items]
        if len(set(codes)) != len(codes):
            raise PolicyValueError("policy.duplicate_codes")
        total = sum((item.points for item in self.items), Decimal(0))
        if total != self.total:
            raise PolicyValueError("policy.points_total", total=total, expected=self.total)
        return self


class Change(Section):
    """A policy value that takes effect from a month on."""

    effective_from: str
    path: str
    value: Any

    @field_validator("effective_from")
    @classmethod
    def _month(cls, value: str) -> str:
        if not MONTH_PATTERN.match(value):
            raise PolicyValueError("policy.not_month", value=value)
        return value


class CompanyPolicy(Section):
    """Who pays: the company name printed on payslips."""

    name: str = Field(
        "示例网店",
        title="公司名称",
        json_schema_extra=_note("示例值：文件没有写公司名称"),
    )


class Policy(Section):
    """The whole pay policy. Build with :func:`xlkpi.default_policy` or the policy_io loaders."""

    score: ScorePolicy
    perf_coeff: AmountScale = Field(title="绩效系数", description="coefficient by score (A1)")
    perf_bonus: PerfBonusPolicy
    attendance: AttendancePolicy
    strict_attendance: StrictAttendancePolicy
    commission: dict[str, MarginalRateScale] = Field(title="提成方案")
    team: TeamPolicy
    review: ReviewPolicy
    allowances: AllowancePolicy
    fines: FinePolicy
    discipline: DisciplinePolicy
    grades: GradePolicy
    ranks: RankPolicy
    warnings: list[WarningRule]
    streak_reward: StreakReward
    year_end: YearEndPolicy
    plans: Plans
    tax: TaxPolicy = Field(title="个税与社保")
    scorecards: dict[str, Scorecard]
    changes: list[Change] = Field(default_factory=list)
    company: CompanyPolicy = Field(default_factory=CompanyPolicy, title="公司")

    @model_validator(mode="after")
    def _references(self) -> Policy:
        schedules = {
            "plans.promotion.commission_schedule": self.plans.promotion.commission_schedule,
            "plans.cs_003.commission_schedule": self.plans.cs_003.commission_schedule,
            "plans.ops_specialist.commission_schedule": (
                self.plans.ops_specialist.commission_schedule
            ),
            "plans.cs_2017.commission_schedule": self.plans.cs_2017.commission_schedule,
            "plans.cs_2017.public_pool_schedule": self.plans.cs_2017.public_pool_schedule,
            "plans.cs_000.commission_schedule": self.plans.cs_000.commission_schedule,
        }
        for path, name in schedules.items():
            if name not in self.commission:
                known = tuple(sorted(self.commission))
                raise PolicyValueError("policy.unknown_schedule", path, name=name, choices=known)
        plan_lists = [
            ("ranks.plans", self.ranks.plans),
            ("streak_reward.plans", self.streak_reward.plans),
        ]
        plan_lists += [(f"warnings[{i}].plans", w.plans) for i, w in enumerate(self.warnings)]
        plan_lists += [(f"scorecards.{k}.plans", s.plans) for k, s in self.scorecards.items()]
        for path, plans in plan_lists:
            for plan in plans:
                if plan not in PLAN_CODES:
                    raise PolicyValueError(
                        "policy.holds_unknown_plan", path, plan=plan, choices=PLAN_CODES
                    )
        return self

    def at(self, month: str) -> Policy:
        """The policy in force in ``month`` (YYYY-MM): changes up to it applied, none pending."""
        from xlkpi.policy_io import apply_changes

        return apply_changes(self, month)


def validate_policy(
    data: dict[str, Any], source: str | None = None, month: str | None = None
) -> Policy:
    """Build a :class:`Policy` from plain data; a :class:`PolicyError` names the key path.

    ``source`` names where the data came from (default 参数 / policy, or the policy in force
    in ``month``); the error's text is in both languages (xlkpi.policy_errors).
    """
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise policy_error(exc, source, month) from None
