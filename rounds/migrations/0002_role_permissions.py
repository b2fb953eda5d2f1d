"""The roles' admin permissions on rounds: province and system admins manage rounds and
schedules and read the reminder record; everybody else reads rounds on the site's own pages."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGE = ("reportinground", "roundschedule")
GRANTS = {
    "省级管理员": [f"{a}_{m}" for a in ("add", "change", "delete", "view") for m in MANAGE]
    + ["view_reminder"],
    "系统管理员": [
        f"{a}_{m}" for a in ("add", "change", "delete", "view") for m in (*MANAGE, "reminder")
    ],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("rounds")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="rounds", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="rounds"))


class Migration(migrations.Migration):
    dependencies = [
        ("rounds", "0001_initial"),
        ("provinces", "0003_role_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
