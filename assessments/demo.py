"""Demo assessments (示例数据): the worked example a new user sees beside the demo reports.

- 山西 2013–2020's final assessment (总结评估) as of 2020-12-31, published: its 2020 targets are
  judged on the values its successor states for 2020 (the 3千家 of 诚信计量示范单位 against the
  5000家 it set) and the demo reports; every row rated, a few changed from the proposal with a
  reason, and a conclusion.
- A 2025 mid-term (中期评估) draft as of 2025-12-31 for each seed province's 2021–2035 plan,
  frozen and not yet rated, for evaluators to work on.

Flagged ``is_demo``; loading is idempotent (an existing round is left as it is: a published one
cannot change, and a draft may hold an evaluator's work); ``demo_assessments_clear`` removes
exactly them, published ones included (the database allows that for demo rows only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from assessments import services
from assessments.models import Assessment, AssessmentKind, AssessmentTarget
from provinces.models import PolicyDocument

DEMO_USERNAME = "demo"
FINAL_SLUG = "sx-2013"
FINAL_AS_OF = dt.date(2020, 12, 31)
MID_TERM_AS_OF = dt.date(2025, 12, 31)
MID_TERM_SLUGS = ("sx-2021", "js-2022", "qh-2022", "sd-2022")
FINAL_CONCLUSION = {
    "overall_rating": "fair",
    "achievements": (
        "计量法规制度逐步完善，《山西省计量监督管理条例》完成修订；重点管理计量器具型式评价实验室、"
        "定量包装商品净含量抽查合格率、集贸市场公平秤配备率等目标如期实现；国家级产业计量测试中心"
        "建设超额完成。(示例数据)"
    ),
    "problems": (
        "产业计量测试中心(建成3个，目标9个)和诚信计量示范单位(培育3千家，目标5000家)差距较大；"
        "量值溯源体系覆盖率、加油机受检率等指标不升反降；部分计量监督管理办法未能出台。(示例数据)"
    ),
    "recommendations": (
        "将未完成的产业计量测试中心和诚信计量示范单位建设目标纳入2021—2035年实施意见继续推进；"
        "加强重点领域计量监督检查，建立指标季度调度机制，落实责任单位年度任务。(示例数据)"
    ),
}
# (indicator name as printed, rating, reason, comment): evaluators' changes from the proposal.
FINAL_JUDGEMENTS = (
    (
        "产业计量测试中心",
        "missed",
        "",
        "下一规划载明2020年建成省级产业计量测试中心3个，与目标9个差距明显。(示例数据)",
    ),
    (
        "诚信计量示范单位",
        "basically_achieved",
        "培育工作覆盖全省11个地市，示范带动作用已显现，按完成六成计为基本达成。(示例数据)",
        "下一规划载明2020年培育3千家，目标5000家。(示例数据)",
    ),
)


class DemoAssessmentsRefused(Exception):
    """Demo data is switched off here (production)."""


@dataclass
class DemoAssessmentsSummary:
    created: list[Assessment] = field(default_factory=list)
    kept: list[Assessment] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # documents not loaded
    deleted: int = 0


def _demo_user():
    user = get_user_model().objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        user, _ = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
    return user


def _rate_final(assessment: Assessment, user) -> None:
    by_name = {
        row.indicator_name: row for row in AssessmentTarget.objects.filter(assessment=assessment)
    }
    ratings = []
    for name, rating, reason, comment in FINAL_JUDGEMENTS:
        row = by_name.get(name)
        if row is not None:
            ratings.append(
                services.RatingInput(
                    row_id=row.pk,
                    rating=rating,
                    reason=reason,
                    comment=comment,
                    carry_over=True,
                )
            )
    if ratings:
        services.assessment_rate_targets(assessment=assessment, by=user, ratings=ratings)
    services.assessment_accept_proposals(assessment=assessment, by=user)
    services.assessment_conclude(assessment=assessment, by=user, **FINAL_CONCLUSION)


def demo_assessments_load(*, today: dt.date | None = None) -> DemoAssessmentsSummary:
    """Create whichever demo rounds are missing (see the module's docstring)."""
    if not settings.DEMO_DATA_ALLOWED:
        raise DemoAssessmentsRefused(
            "此环境禁止载入示例数据(DEMO_DATA_ALLOWED 为关) "
            "(demo data is not allowed here: DEMO_DATA_ALLOWED is off)"
        )
    summary = DemoAssessmentsSummary()
    user = _demo_user()
    documents = {d.slug: d for d in PolicyDocument.objects.select_related("province")}
    plan = [(FINAL_SLUG, AssessmentKind.FINAL, FINAL_AS_OF)] + [
        (slug, AssessmentKind.MID_TERM, MID_TERM_AS_OF) for slug in MID_TERM_SLUGS
    ]
    for slug, kind, as_of in plan:
        document = documents.get(slug)
        if document is None:
            summary.missing.append(slug)
            continue
        existing = (
            Assessment.objects.filter(document=document, kind=kind, as_of=as_of)
            .order_by("-version")
            .first()
        )
        if existing is not None:
            summary.kept.append(existing)
            continue
        with transaction.atomic():
            assessment = services.assessment_create(
                document=document,
                kind=kind,
                as_of=as_of,
                created_by=user,
                today=today,
                is_demo=True,
            )
            if kind == AssessmentKind.FINAL:
                _rate_final(assessment, user)
                services.assessment_submit(assessment=assessment, by=user)
                assessment = services.assessment_publish(assessment=assessment, by=user)
        summary.created.append(assessment)
    return summary


def demo_assessments_clear() -> DemoAssessmentsSummary:
    """Delete exactly the demo assessments, newest version first (a version protects the one
    it supersedes)."""
    summary = DemoAssessmentsSummary()
    with transaction.atomic():
        for assessment in Assessment.objects.filter(is_demo=True).order_by("-version", "-id"):
            assessment.delete()
            summary.deleted += 1
    return summary
