"""``python manage.py import_progress FILE``: a sheet of progress reports, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from targets.management.commands._progress_options import resolve_province
from targets.progress_import import FORMATS, parse_sheet, store


class Command(BaseCommand):
    help = (
        "导入进展填报表(Excel .xlsx 或 CSV，UTF-8 或 GBK)。列：province 省份, document 文件, "
        "indicator 指标(代码或原文名称), as_of 截至日期, value 数值, note 备注, done 是否完成"
        "(里程碑)。任何一行有误则整表不导入，并逐行说明原因。命令行导入视为已审核(立即计入"
        "进度并重新测算)；加 --for-review 则存为“已提交”待审核。 / "
        "Import a sheet of progress reports (Excel .xlsx or CSV in UTF-8 or GBK) with columns "
        "province, document, indicator (code or printed name), as_of, value, note and done "
        "(milestones). One bad row refuses the whole file, with a message per problem. Reports "
        "imported here are approved (staff are trusted; they count at once and progress is "
        "recomputed); --for-review stores them as submitted, awaiting review instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="表格文件 / the sheet (.xlsx or .csv)")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="文件格式，默认按扩展名 / file format; default from the extension",
        )
        parser.add_argument(
            "--province",
            help="只接受该省的指标(代码或简称) / accept this province's indicators only",
        )
        parser.add_argument(
            "--for-review",
            action="store_true",
            help="存为“已提交”待审核，不立即计入进度 / store as submitted for review; "
            "they count once approved",
        )
        parser.add_argument(
            "--reporter",
            help="记为填报人的用户名 / username recorded as the reporter",
        )

    def handle(self, *args, file: Path, **options) -> None:
        fmt = options["format"] or file.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(
                f"无法判断文件格式 “{file.name}”，请用 --format csv 或 xlsx / "
                f"cannot tell the format of “{file.name}”: use --format csv or xlsx"
            )
        if not file.is_file():
            raise CommandError(f"找不到文件 {file} / no such file {file}")
        province = resolve_province(options["province"])
        reporter = None
        if options["reporter"]:
            reporter = get_user_model().objects.filter(username=options["reporter"]).first()
            if reporter is None:
                raise CommandError(
                    f"没有用户 “{options['reporter']}” / no user “{options['reporter']}”"
                )
        parsed = parse_sheet(file, fmt=fmt, province=province.code if province else None)
        if parsed.sheet_name and fmt == "xlsx":
            self.stdout.write(f"读取工作表 / reading sheet “{parsed.sheet_name}”")
        outcome = store(parsed, user=reporter, for_review=options["for_review"])
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(str(error))
            raise CommandError(outcome.summary())
        self.stdout.write(outcome.summary())
