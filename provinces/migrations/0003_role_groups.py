"""The six roles shipped as groups with their model permissions (the admin checks these;
``provinces.access`` decides scope). Later apps add their permissions in their own migrations."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_APPS = ("provinces", "targets", "tasks")
ENTRY_MODELS = ("progressreport", "taskupdate")

GROUPS = {
    "填报员": {"view": VIEW_APPS, "add": ENTRY_MODELS, "change": ENTRY_MODELS},
    "审核员": {"view": VIEW_APPS, "change": ENTRY_MODELS},
    "领导": {"view": VIEW_APPS},
    "评估员": {"view": VIEW_APPS},
    "省级管理员": {
        "view": (*VIEW_APPS, "auth"),
        "add": ("department", "user", "userprofile"),
        "change": ("department", "user", "userprofile", *ENTRY_MODELS),
    },
    "系统管理员": "all",
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        if grants == "all":
            group.permissions.set(
                Permission.objects.filter(
                    content_type__app_label__in=(*VIEW_APPS, "auth", "import_export")
                )
            )
            continue
        wanted = Permission.objects.none()
        for action, targets in grants.items():
            for target in targets:
                if target in (*VIEW_APPS, "auth"):
                    wanted = wanted | Permission.objects.filter(
                        content_type__app_label=target, codename__startswith=f"{action}_"
                    )
                else:
                    wanted = wanted | Permission.objects.filter(codename=f"{action}_{target}")
        group.permissions.set(wanted.distinct())


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("provinces", "0002_units_and_profiles"),
        ("targets", "0003_review_trail"),
        ("tasks", "0002_review_trail"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
