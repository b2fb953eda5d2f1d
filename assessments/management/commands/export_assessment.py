"""``python manage.py export_assessment ID --format pdf|xlsx [--output FILE]``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.models import Assessment
from assessments.reports.export import FORMATS, render


class Command(BaseCommand):
    help = (
        "导出评估报告(PDF)或工作簿(Excel)。 / "
        "Export an assessment as its PDF report or its Excel workbook."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", type=int, help="评估编号 / the assessment's id")
        parser.add_argument("--format", choices=sorted(FORMATS), default="pdf")
        parser.add_argument(
            "--output", help="输出文件，默认按评估命名 / output file (default: named after it)"
        )

    def handle(self, *args, id: int, format: str, output: str | None = None, **options) -> None:
        assessment = Assessment.objects.select_related("document__province").filter(pk=id).first()
        if assessment is None:
            raise CommandError(f"没有编号为 {id} 的评估 / no assessment with id {id}")
        body, _type, name = render(assessment, format)
        path = Path(output or name)
        path.write_bytes(body)
        self.stdout.write(f"已导出 wrote {path} ({len(body)} bytes)")
