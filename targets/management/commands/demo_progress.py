"""``python manage.py demo_progress``: load (or ``--clear``) the 示例数据 demo reports."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from targets.demo import DemoDataRefused, demo_data_clear, demo_data_load


class Command(BaseCommand):
    help = (
        "载入示例数据：为已载入的实施意见生成固定(可复现)的进展填报和任务进展，均标记为示例数据，"
        "并重算各季度末的测算结果；--clear 只删除示例数据并重算。生产环境"
        "(DEMO_DATA_ALLOWED 关)拒绝载入。 / "
        "Load demo data: seeded, reproducible progress reports and task updates for the loaded "
        "documents, all flagged as demo, then recompute every quarter end's results; --clear "
        "deletes exactly the demo rows and recomputes. Refused where DEMO_DATA_ALLOWED is off "
        "(production)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clear",
            action="store_true",
            help="删除全部示例数据并重算 / delete all demo rows and recompute",
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="只重算今天，不重算各季度末 / recompute today only, not every quarter end",
        )

    def handle(self, *args, clear=False, no_history=False, **options) -> None:
        if clear:
            summary = demo_data_clear()
            self.stdout.write(
                f"已删除示例数据：进展填报 {summary.reports} 条，任务进展 {summary.task_updates} 条"
                f" / deleted demo data: {summary.reports} reports, "
                f"{summary.task_updates} task updates"
            )
            return
        try:
            summary = demo_data_load(history=not no_history)
        except DemoDataRefused as error:
            raise CommandError(str(error)) from error
        if not summary.reports and not summary.task_updates:
            self.stdout.write(
                "没有可生成示例数据的指标或任务，请先运行 load_policies / "
                "nothing to generate demo data for: run load_policies first"
            )
            return
        self.stdout.write(
            f"已载入示例数据：进展填报 {summary.reports} 条，任务进展 {summary.task_updates} 条，"
            f"重算 {len(summary.runs)} 个基准日 / loaded demo data: {summary.reports} reports, "
            f"{summary.task_updates} task updates; recomputed {len(summary.runs)} as-of dates"
        )
