from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("指标与目标")

    def ready(self) -> None:
        # Registers the Celery jobs in every process (web, command, worker): services enqueue
        # them by name and never import them.
        from targets import jobs  # noqa: F401
