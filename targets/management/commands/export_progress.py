"""``python manage.py export_progress``: every target's progress as of a date, as CSV."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from targets.management.commands._progress_options import (
    add_as_of_argument,
    resolve_as_of,
    resolve_province,
)
from targets.models import Indicator
from targets.progress_export import progress_csv
from targets.selectors import progress_results_frame
from targets.services import progress_recompute


class Command(BaseCommand):
    help = (
        "导出测算结果 CSV(每个目标一行：省份、文件、指标、目标年、目标值、比较方式、基期值、"
        "最新值及日期、是否达成、完成进度、时间进度、进度状态、趋势研判、预测值、预测方法)。"
        "导出前先按已审核数据重算该基准日的结果；--stored 则只导出已保存的结果。 / "
        "Export progress as CSV, one row per target (province, document, indicator, target "
        "year, target, comparator, baseline, latest value and date, achieved, completion, time "
        "elapsed, pace status, outlook, projection, method). The results for the date are "
        "recomputed from the approved data first; --stored exports what is stored as it is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_as_of_argument(parser)
        parser.add_argument("--province", help="省份代码或简称 / province code or name")
        parser.add_argument(
            "--output", type=Path, help="写入文件(UTF-8 带 BOM)而非标准输出 / write to FILE"
        )
        parser.add_argument(
            "--stored",
            action="store_true",
            help="不重算，只导出已保存的结果 / do not recompute; export the stored results",
        )

    def handle(self, *args, as_of=None, province=None, output=None, stored=False, **options):
        day = resolve_as_of(as_of)
        chosen = resolve_province(province)
        codes = [chosen.code] if chosen else None
        if not stored:
            indicator_ids = (
                list(
                    Indicator.objects.filter(document__province=chosen).values_list("id", flat=True)
                )
                if chosen
                else None
            )
            progress_recompute(as_of=day, indicator_ids=indicator_ids)
        frame = progress_results_frame(as_of=day, province_codes=codes)
        if stored and frame.empty:
            raise CommandError(
                f"基准日 {day} 没有已保存的测算结果，请先运行 recompute_progress / "
                f"no stored results as of {day}: run recompute_progress first"
            )
        text = progress_csv(frame)
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8-sig", newline="")
        except OSError as error:
            raise CommandError(f"无法写入 {output}：{error} / cannot write {output}") from error
        self.stderr.write(f"已写入 {len(frame)} 行到 {output} / wrote {len(frame)} rows")
