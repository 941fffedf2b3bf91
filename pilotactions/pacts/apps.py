from django.apps import AppConfig


class PactsConfig(AppConfig):
    name = "pilotactions.pacts"
    verbose_name = "Pactes locaux des solidarités"
