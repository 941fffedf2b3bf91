from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pilotactions.core"
    verbose_name = "Socle"
