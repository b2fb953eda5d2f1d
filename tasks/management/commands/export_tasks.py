"""``python manage.py export_tasks``: the key tasks of the loaded catalogue as CSV."""

from django.core.management.base import BaseCommand, CommandParser

from targets.catalogue import TASK_COLUMNS, rows_to_csv, tasks_catalogue_rows
from targets.management.commands.export_targets import (
    add_filter_arguments,
    check_filters,
    write_csv,
)


class Command(BaseCommand):
    help = (
        "导出重点任务目录(CSV，每项任务一行，牵头、配合单位分列) / "
        "Export the catalogue of key tasks as CSV, one row per task, lead and support apart."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_filter_arguments(parser)

    def handle(self, *args, province=None, document=None, output=None, **options) -> None:
        check_filters(province=province, document=document)
        rows = tasks_catalogue_rows(province=province, document=document)
        write_csv(self, rows_to_csv(rows, columns=TASK_COLUMNS), output, rows=len(rows))
