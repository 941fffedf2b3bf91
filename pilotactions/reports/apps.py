from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "pilotactions.reports"
    verbose_name = "Bilan et rapports"
