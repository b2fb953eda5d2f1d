"""``python manage.py recompute_progress``: compute and store every target's progress."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from targets.jobs import recompute_all_progress
from targets.management.commands._progress_options import add_as_of_argument, resolve_as_of
from targets.models import ProgressRun
from targets.services import progress_recompute, progress_recompute_history


class Command(BaseCommand):
    help = (
        "按进度测算方法重新计算并保存所有目标的测算结果(可重复运行，结果按基准日保存) / "
        "Recompute and store the progress of every target as of a date (idempotent; results "
        "are kept per as-of date)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_as_of_argument(parser)
        parser.add_argument(
            "--history",
            action="store_true",
            help="同时重算所有已保存过结果的基准日 / also recompute every as-of date that "
            "already has stored results",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="交给 Celery 后台执行而不在本进程计算 / enqueue the Celery job instead of "
            "computing in this process",
        )

    def handle(self, *args, as_of=None, history=False, queue=False, **options) -> None:
        day = resolve_as_of(as_of)
        if queue:
            recompute_all_progress.delay(day.isoformat())
            self.stdout.write(f"已加入队列：测算基准日 {day} / queued: recompute as of {day}")
            return
        if history:
            runs = progress_recompute_history(also=[day])
        else:
            runs = [progress_recompute(as_of=day)]
        for run in runs:
            self.stdout.write(self.describe(run))

    def describe(self, run: ProgressRun) -> str:
        return (
            f"测算完成：基准日 {run.as_of}，{run.targets_count} 个目标 / "
            f"recomputed {run.targets_count} targets as of {run.as_of}"
        )
