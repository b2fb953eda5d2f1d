"""``python manage.py demo_assessments [--clear]``: the demo assessments (示例数据)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.demo import DemoAssessmentsRefused, demo_assessments_clear, demo_assessments_load


class Command(BaseCommand):
    help = (
        "载入示例评估：山西2013—2020年实施意见总结评估(已发布)和各省2025年中期评估草稿；"
        "已存在的评估保持不变；--clear 只删除示例评估。 / Load the demo assessments: 山西 "
        "2013–2020's final assessment (published) and a 2025 mid-term draft per province; "
        "existing rounds are kept; --clear deletes exactly the demo assessments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clear", action="store_true", help="删除全部示例评估 / delete the demo assessments"
        )

    def handle(self, *args, clear: bool = False, **options) -> None:
        if clear:
            summary = demo_assessments_clear()
            self.stdout.write(
                f"已删除示例评估 {summary.deleted} 个 / deleted {summary.deleted} demo assessments"
            )
            return
        try:
            summary = demo_assessments_load()
        except DemoAssessmentsRefused as error:
            raise CommandError(str(error)) from error
        for slug in summary.missing:
            self.stdout.write(f"未载入文件 {slug}，跳过 / document {slug} not loaded: skipped")
        self.stdout.write(
            f"示例评估：新建 {len(summary.created)} 个，保留 {len(summary.kept)} 个 / "
            f"demo assessments: {len(summary.created)} created, {len(summary.kept)} kept"
        )
