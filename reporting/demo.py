"""Entries waiting for review in the one-command local run, so the demo reviewer has a queue
and the demo reporter a returned entry: made through the same services as the forms, by the
demo reporters, flagged ``is_demo`` (``demo_progress --clear`` removes them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from provinces.models import ReviewStatus
from reporting import selectors, services
from targets.models import ProgressReport
from tasks.models import TaskStatus, TaskUpdate

# each demo reporter and the reviewer of its unit
DEMO_SUBMITTERS = (("sx-reporter", "sx-reviewer"), ("js-reporter", "js-reviewer"))
REPORTS_EACH = 3
RETURN_REASON = "示例：请补充佐证材料 (demo: please add evidence)"


def _next_value(indicator, last: ProgressReport) -> Decimal:
    step = Decimal("0.5") if indicator.unit == "%" else Decimal("1")
    value = last.value + step
    return min(value, Decimal("100")) if indicator.unit == "%" else value


def demo_submissions_create(today: dt.date | None = None) -> list[str]:
    """Submit a few reports and a task update per demo reporter, the reviewer returning one
    report; a line per reporter. Nothing for a reporter whose demo entries already wait."""
    today = today or timezone.localdate()
    User = get_user_model()
    made = []
    for reporter_name, reviewer_name in DEMO_SUBMITTERS:
        reporter = User.objects.filter(username=reporter_name).first()
        reviewer = User.objects.filter(username=reviewer_name).first()
        if reporter is None or reviewer is None:
            continue
        waiting = ProgressReport.objects.filter(reporter=reporter, is_demo=True).exclude(
            review_status=ReviewStatus.APPROVED
        )
        if waiting.exists():
            continue
        with transaction.atomic():
            reports = []
            for indicator in selectors.entry_indicators(reporter, as_of=today):
                last = selectors.last_approved_value(indicator)
                if indicator.is_milestone or last is None or last.value is None:
                    continue
                reports.append(
                    services.report_save(
                        user=reporter,
                        indicator=indicator,
                        as_of=today,
                        value=_next_value(indicator, last),
                        note="示例填报 (demo entry)",
                        submit=True,
                    )
                )
                if len(reports) == REPORTS_EACH:
                    break
            task = selectors.entry_tasks(reporter, as_of=today).first()
            updates = []
            if task is not None:
                updates.append(
                    services.task_update_save(
                        user=reporter,
                        task=task,
                        as_of=today,
                        status=TaskStatus.IN_PROGRESS,
                        percent=60,
                        narrative="示例：已完成年度工作计划的六成 (demo entry)",
                        submit=True,
                    )
                )
            if reports:
                services.entries_review(
                    reviewer=reviewer, reports=reports[-1:], approve=False, reason=RETURN_REASON
                )
            ProgressReport.objects.filter(pk__in=[r.pk for r in reports]).update(is_demo=True)
            TaskUpdate.objects.filter(pk__in=[u.pk for u in updates]).update(is_demo=True)
        made.append(
            f"{reporter_name}: {len(reports)} 条指标填报、{len(updates)} 条任务进展待 "
            f"{reviewer_name} 审核(其中1条已退回) / {len(reports)} reports and {len(updates)} "
            f"task update submitted for {reviewer_name} (one returned)"
        )
    return made
