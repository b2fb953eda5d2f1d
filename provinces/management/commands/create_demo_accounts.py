"""The one-command local run's accounts: one per role, printed with their logins.

Idempotent (running it again resets the same accounts); refused in production.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from provinces.accounts import assign_role
from provinces.models import Department, Province, Role

DEMO_PASSWORD = "demo-metrology-2026"
# username, province code (None: national), role, department name
DEMO_ACCOUNTS: tuple[tuple[str, str | None, str, str | None], ...] = (
    ("sx-reporter", "SX", Role.REPORTER, "省市场监管局"),
    ("sx-reviewer", "SX", Role.REVIEWER, None),
    ("js-reporter", "JS", Role.REPORTER, "省市场监管局"),
    ("js-reviewer", "JS", Role.REVIEWER, None),
    ("leader", None, Role.LEADER, None),
    ("evaluator", None, Role.EVALUATOR, None),
    ("sx-admin", "SX", Role.PROVINCE_ADMIN, None),
)


def demo_accounts_create() -> list[tuple[str, str, str]]:
    """(username, role label, unit) of every demo account, created or reset."""
    if not settings.DEMO_DATA_ALLOWED:
        raise CommandError(
            "生产环境不创建演示账号。/ Demo accounts are never created in production "
            "(DEMO_DATA_ALLOWED is off)."
        )
    User = get_user_model()
    made = []
    with transaction.atomic():
        for username, code, role, department_name in DEMO_ACCOUNTS:
            province = Province.objects.filter(code=code).first() if code else None
            if code and province is None:
                raise CommandError(
                    f"省份 {code} 不存在，请先运行 load_policies / unit {code} is missing: "
                    "run load_policies first"
                )
            department = (
                Department.objects.filter(province=province, name=department_name).first()
                if department_name
                else None
            )
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = False
            user.save()
            assign_role(user=user, role=role, province=province, department=department)
            unit = province.name if province else "国家级 national"
            if department:
                unit += f" · {department.name}"
            made.append((username, str(Role(role).label), unit))
    return made


class Command(BaseCommand):
    help = "创建各角色演示账号 / Create one demo account per role (development only)."

    def handle(self, *args, **options) -> None:
        call_command("create_demo_admin", stdout=self.stdout)
        for username, role, unit in demo_accounts_create():
            self.stdout.write(
                f"  {role:<8} 用户名 username={username:<12} "
                f"密码 password={DEMO_PASSWORD}  ({unit})"
            )
