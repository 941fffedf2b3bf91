from django.apps import AppConfig


class NomenclaturesConfig(AppConfig):
    name = "pilotactions.nomenclatures"
    verbose_name = "Nomenclatures"
