from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The read side: every read-only page. It has no models of its own."""

    name = "dashboards"

    def ready(self) -> None:
        from dashboards.cache import connect_signals

        connect_signals()
