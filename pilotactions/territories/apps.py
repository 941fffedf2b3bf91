from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "pilotactions.territories"
    verbose_name = "Territoires"
