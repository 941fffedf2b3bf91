from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "pilotactions.measures"
    verbose_name = "Mesures nationales"
