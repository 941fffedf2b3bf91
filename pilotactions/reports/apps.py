from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "pilotactions.reports"
    verbose_name = "Bilan et rapports"

    def ready(self):
        from . import cube, evaluation  # noqa: F401 -- connect the receivers (aggregates stale; evaluation totals)
