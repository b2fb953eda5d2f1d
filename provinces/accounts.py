"""Giving a user a place and a role: the profile ``provinces.access`` reads, and the group
whose model permissions the admin checks. One service so the two never disagree."""

from __future__ import annotations

import importlib
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from provinces import access
from provinces.models import Department, Province, Role, UserProfile

ROLE_GROUPS: dict[str, str] = {
    Role.REPORTER: "填报员",
    Role.REVIEWER: "审核员",
    Role.LEADER: "领导",
    Role.EVALUATOR: "评估员",
    Role.PROVINCE_ADMIN: "省级管理员",
    Role.SYSTEM_ADMIN: "系统管理员",
}
# Roles that work in the admin as well as on the site's own pages.
STAFF_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN})


def _grant(group: Group, grants: Any) -> None:
    """The permissions the data migration gives the role's group (``0003_role_groups.GROUPS``)."""
    from django.contrib.auth.models import Permission

    migration = importlib.import_module("provinces.migrations.0003_role_groups")
    if grants == "all":
        apps = (*migration.VIEW_APPS, "auth", "import_export")
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=apps))
        return
    wanted = Permission.objects.none()
    for action, targets in grants.items():
        for target in targets:
            if target in (*migration.VIEW_APPS, "auth"):
                wanted = wanted | Permission.objects.filter(
                    content_type__app_label=target, codename__startswith=f"{action}_"
                )
            else:
                wanted = wanted | Permission.objects.filter(codename=f"{action}_{target}")
    group.permissions.set(wanted.distinct())


def role_group(role: str) -> Group:
    """The role's group; made again with its permissions if it went missing (a database
    flushed after the migrations ran, or a group deleted by hand)."""
    name = ROLE_GROUPS[role]
    group, created = Group.objects.get_or_create(name=name)
    if created:
        migration = importlib.import_module("provinces.migrations.0003_role_groups")
        _grant(group, migration.GROUPS[name])
    return group


def assign_role(
    *,
    user: Any,
    role: str,
    province: Province | None = None,
    department: Department | None = None,
    reminders_enabled: bool | None = None,
) -> UserProfile:
    """Set where ``user`` belongs and what it does, and put it in exactly its role's group."""
    if role not in Role.values:
        raise ValidationError({"role": f"未知角色 unknown role: {role}"})
    if department is not None and (province is None or department.province_id != province.pk):
        raise ValidationError(
            {"department": "单位不属于该省份 The department does not belong to that province."}
        )
    if province is None and role not in (Role.LEADER, Role.EVALUATOR, Role.SYSTEM_ADMIN):
        raise ValidationError(
            {"province": "该角色须属于一个省份 This role needs a province (or city)."}
        )
    with transaction.atomic():
        profile, _ = UserProfile.objects.get_or_create(
            user=user, defaults={"role": role, "province": province, "department": department}
        )
        profile.role = role
        profile.province = province
        profile.department = department
        if reminders_enabled is not None:
            profile.reminders_enabled = reminders_enabled
        profile.full_clean()
        profile.save()
        role_groups = Group.objects.filter(name__in=ROLE_GROUPS.values())
        user.groups.remove(*role_groups)
        user.groups.add(role_group(role))
        staff = role in STAFF_ROLES
        if user.is_staff != staff and not user.is_superuser:
            user.is_staff = staff
            user.save(update_fields=["is_staff"])
    access.forget(user)
    return profile
