"""Create (or reset) the demo administrator that the one-command local run prints."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-metrology-2026"


class Command(BaseCommand):
    help = "创建演示管理员账号 / Create the demo administrator (development only)."

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "生产环境不创建演示账号。/ The demo account is never created in production "
                "(DEMO_DATA_ALLOWED is off)."
            )
        user, created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.is_staff = True
        user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        verb = "已创建" if created else "已重置"
        self.stdout.write(
            self.style.SUCCESS(
                f"演示管理员{verb} / Demo administrator ready: "
                f"用户名 username={DEMO_USERNAME}  密码 password={DEMO_PASSWORD}"
            )
        )
