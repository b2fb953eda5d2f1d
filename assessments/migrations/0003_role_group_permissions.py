"""The role groups gain the assessments' model permissions (the admin checks these;
``provinces.access`` and the services decide scope and state): everyone who reads an
assessment may view it in the admin; province and system admins may change a draft's title and
evaluators and delete a draft."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("assessment", "assessmenttarget", "assessmenttask")
GRANTS = {
    "审核员": ("view",),
    "领导": ("view",),
    "评估员": ("view",),
    "省级管理员": ("view", "change", "delete"),
    "系统管理员": ("view", "change", "delete"),
}


def grant(apps, schema_editor):
    config = apps.get_app_config("assessments")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        codenames = [f"{action}_{model}" for action in actions for model in MODELS]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="assessments", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="assessments")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_published_is_immutable"),
        ("provinces", "0003_role_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
