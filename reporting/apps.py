from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Entry and review outside the admin: workbench, forms, review queue, evidence, history."""

    name = "reporting"
    verbose_name = _("填报与审核")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from metrology_tracker.middleware import mark_seen

        user_logged_in.connect(mark_seen, dispatch_uid="idle-session-mark-seen")
