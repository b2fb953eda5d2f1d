"""Entries waiting for review in the local demo (see ``reporting.demo``); refused in production."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reporting.demo import demo_submissions_create


class Command(BaseCommand):
    help = "提交示例填报供演示审核 / Submit demo entries for the demo reviewers (development only)."

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "生产环境不创建示例数据。/ Demo data is never created in production "
                "(DEMO_DATA_ALLOWED is off)."
            )
        for line in demo_submissions_create():
            self.stdout.write(line)
