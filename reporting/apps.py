from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Entry and review outside the admin: workbench, forms, review queue, evidence, history."""

    name = "reporting"
    verbose_name = _("填报与审核")
