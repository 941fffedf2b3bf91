from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "pilotactions.reports"
    verbose_name = "Bilan et rapports"

    def ready(self):
        from . import cube  # noqa: F401 -- connects the receiver that marks aggregates stale
