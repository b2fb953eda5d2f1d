"""``python manage.py export_targets``: the targets of the loaded catalogue as CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from provinces.models import PolicyDocument, Province
from targets.catalogue import TARGET_COLUMNS, rows_to_csv, targets_catalogue_rows


def check_filters(*, province: str | None, document: str | None) -> None:
    """An unknown province or document is a mistake, not an empty export."""
    if province and not (
        Province.objects.filter(code__iexact=province).exists()
        or Province.objects.filter(name=province).exists()
    ):
        raise CommandError(f"未知省份 {province!r} / unknown province {province!r}")
    if document and not PolicyDocument.objects.filter(slug=document).exists():
        raise CommandError(f"未知文件 {document!r} / unknown document {document!r}")


def write_csv(command: BaseCommand, text: str, output: Path | None, *, rows: int) -> None:
    """To a file: UTF-8 with a BOM so that Excel reads the Chinese right; to stdout: plain."""
    if output is None:
        command.stdout.write(text, ending="")
        return
    try:
        with output.open("w", encoding="utf-8-sig", newline="") as stream:
            stream.write(text)
    except OSError as error:
        raise CommandError(
            f"无法写入 {output}：{error} / cannot write {output}: {error}"
        ) from error
    rows = max(text.count("\r\n") - 1, 0)
    command.stderr.write(f"已写入 {rows} 行到 {output} / wrote {rows} rows to {output}")


def add_filter_arguments(parser: CommandParser) -> None:
    parser.add_argument("--province", help="省份代码或简称，如 SX 或 山西 / province code or name")
    parser.add_argument("--document", help="文件标识，如 sx-2021 / document slug")
    parser.add_argument(
        "--output", type=Path, help="写入文件(UTF-8 带 BOM)而非标准输出 / write to FILE"
    )


class Command(BaseCommand):
    help = (
        "导出目标值目录(CSV，每个目标一行) / "
        "Export the catalogue of targets as CSV, one row per target."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_filter_arguments(parser)

    def handle(self, *args, province=None, document=None, output=None, **options) -> None:
        check_filters(province=province, document=document)
        rows = targets_catalogue_rows(province=province, document=document)
        write_csv(self, rows_to_csv(rows, columns=TARGET_COLUMNS), output, rows=len(rows))
