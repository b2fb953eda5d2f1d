"""``python manage.py load_policies``: load the curated policy documents (idempotent)."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from provinces.policy_loader import LoadSummary, PolicyLoadError, load_policies

MODEL_LABELS = {
    "Province": "省份 provinces",
    "IndicatorCategory": "指标类别 categories",
    "PolicyDocument": "文件 documents",
    "Section": "章节 sections",
    "Department": "责任单位 departments",
    "Task": "重点任务 tasks",
    "Assignment": "任务分工 assignments",
    "Column": "专栏 columns",
    "ColumnItem": "专栏条目 items",
    "Indicator": "指标 indicators",
    "Target": "目标值 targets",
    "ProgressReport": "文件载明的进展 reports",
}


class Command(BaseCommand):
    help = (
        "载入 fixtures/policies/*.yaml 中的实施意见(可重复运行) / "
        "Load the curated policy documents from fixtures/policies/*.yaml (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory",
            type=Path,
            default=settings.BASE_DIR / "fixtures",
            help="含 policies/、sources/、provinces.yaml、categories.yaml 的目录 / "
            "folder holding policies/, sources/, provinces.yaml and categories.yaml",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="只校验并报告将会发生的变化，不写入 / validate and report what would change, "
            "write nothing",
        )

    def handle(self, *args, directory: Path, check: bool, **options) -> None:
        started = time.perf_counter()
        try:
            summary = load_policies(directory=directory, dry_run=check)
        except PolicyLoadError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.render(summary, time.perf_counter() - started))

    def render(self, summary: LoadSummary, seconds: float) -> str:
        lines = []
        if summary.dry_run:
            lines.append("校验通过，未写入任何数据 / Check passed, nothing was written.")
        for name, label in MODEL_LABELS.items():
            c = summary.changes.get(name)
            if c is None or not (c.changed or c.unchanged):
                continue
            lines.append(
                f"  {label}: 新增 created {c.created}, 更新 updated {c.updated}, "
                f"删除 deleted {c.deleted}, 未变 unchanged {c.unchanged}"
            )
        lines.append(
            "文件 document: 章节 sections / 任务 tasks / 单位 departments / 专栏 columns / "
            "条目 items / 指标 indicators / 目标 targets / 进展 reports"
        )
        for d in summary.documents:
            lines.append(
                f"  {d.slug}: {d.sections} / {d.tasks} / {d.departments} / {d.columns} / "
                f"{d.items} / {d.indicators} / {d.targets} / {d.reports}"
            )
        verb = "将变更 would change" if summary.dry_run else "变更 changed"
        lines.append(
            f"共{verb} {summary.changed} 行 rows, 用时 {seconds:.2f} 秒 / in {seconds:.2f} s."
        )
        return "\n".join(lines)
