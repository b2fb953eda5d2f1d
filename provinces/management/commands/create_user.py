"""Create a user (or change an existing one's place and role) from the command line."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from provinces.accounts import assign_role
from provinces.models import Department, Province, Role


def _messages(error: ValidationError) -> str:
    return "；".join(error.messages)


class Command(BaseCommand):
    help = (
        "创建用户并指定省份、角色(和单位) / Create a user with a province, a role and "
        "optionally a department: create_user USERNAME --province SX --role reporter"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--province", help="省份代码，如 SX；国家级留空 / unit code; omit for national level"
        )
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--department", type=int, help="单位 ID / department id")
        parser.add_argument(
            "--password", help="密码；省略时生成随机密码 / omitted: a random one is printed"
        )
        parser.add_argument("--email", default="")

    def handle(self, *args, **options) -> None:
        province = None
        if options["province"]:
            province = Province.objects.filter(code=options["province"].upper()).first()
            if province is None:
                known = "、".join(Province.objects.values_list("code", flat=True))
                raise CommandError(
                    f"未知省份代码 unknown province code: {options['province']} "
                    f"(可选 choose: {known})"
                )
        department = None
        if options["department"] is not None:
            department = Department.objects.filter(pk=options["department"]).first()
            if department is None:
                raise CommandError(f"未知单位 unknown department id: {options['department']}")
        password = options["password"] or secrets.token_urlsafe(12)
        User = get_user_model()
        user = User.objects.filter(username=options["username"]).first()
        created = user is None
        candidate = user or User(username=options["username"], email=options["email"])
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as error:
            raise CommandError(f"密码不符合要求 password refused: {_messages(error)}") from None
        with transaction.atomic():
            candidate.set_password(password)
            candidate.save()
            try:
                assign_role(
                    user=candidate, role=options["role"], province=province, department=department
                )
            except ValidationError as error:
                transaction.set_rollback(True)
                raise CommandError(_messages(error)) from None
        verb = "已创建 created" if created else "已更新 updated"
        shown = "" if options["password"] else f"  密码 password={password}"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}: {candidate.username} · {Role(options['role']).label} · "
                f"{province.name if province else '国家级 national'}"
                f"{' · ' + department.name if department else ''}{shown}"
            )
        )
