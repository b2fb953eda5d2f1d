"""Accounts from the command line: create_user, and the demo accounts make run prints."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from provinces import access
from provinces.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_create_user_gives_a_province_a_role_and_a_department():
    sx = f.make_province(code="SX", name="山西")
    department = f.make_department(province=sx, name="省市场监管局")
    out = io.StringIO()
    call_command(
        "create_user",
        "wang",
        "--province",
        "sx",
        "--role",
        "reporter",
        "--department",
        str(department.pk),
        "--password",
        "a-long-enough-Passw0rd",
        stdout=out,
    )
    user = get_user_model().objects.get(username="wang")
    assert access.role(user) == Role.REPORTER
    assert user.profile.department == department
    assert list(user.groups.values_list("name", flat=True)) == ["填报员"]
    assert user.check_password("a-long-enough-Passw0rd")
    assert "已创建 created" in out.getvalue()


def test_create_user_refuses_bad_input_in_both_languages():
    sx = f.make_province(code="SX", name="山西")
    js = f.make_province(code="JS", name="江苏")
    other = f.make_department(province=js)
    with pytest.raises(CommandError, match="unknown province code"):
        call_command("create_user", "li", "--province", "ZZ", "--role", "reporter")
    with pytest.raises(CommandError, match="password refused"):
        call_command(
            "create_user", "li", "--province", "SX", "--role", "reporter", "--password", "123"
        )
    with pytest.raises(CommandError, match="does not belong"):
        call_command(
            "create_user",
            "li",
            "--province",
            sx.code,
            "--role",
            "reporter",
            "--department",
            str(other.pk),
            "--password",
            "a-long-enough-Passw0rd",
        )
    assert not get_user_model().objects.filter(username="li").exists()


def test_demo_accounts_one_per_role_idempotent_and_printed(settings):
    settings.DEMO_DATA_ALLOWED = True
    sx = f.make_province(code="SX", name="山西")
    f.make_province(code="JS", name="江苏")
    f.make_department(province=sx, name="省市场监管局")
    for _ in range(2):
        out = io.StringIO()
        call_command("create_demo_accounts", stdout=out)
    users = get_user_model().objects
    roles = {
        access.role(users.get(username=name))
        for name in (
            "sx-reporter",
            "sx-reviewer",
            "js-reporter",
            "js-reviewer",
            "leader",
            "evaluator",
            "sx-admin",
            "demo",
        )
    }
    assert roles == set(Role.values)
    assert users.get(username="sx-reporter").profile.department.name == "省市场监管局"
    assert "js-reviewer" in out.getvalue() and "demo-metrology-2026" in out.getvalue()
    assert users.count() == 8


def test_production_refuses_demo_accounts(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="never created in production"):
        call_command("create_demo_accounts")
