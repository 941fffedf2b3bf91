from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    name = "pilotactions.opendata"
    label = "opendata"
    verbose_name = "Données ouvertes"

    def ready(self):
        from . import tasks  # noqa: F401 -- connects the receiver that republishes when a campaign is validated
