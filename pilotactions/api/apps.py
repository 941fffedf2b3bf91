from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pilotactions.api"
    label = "api"
    verbose_name = "API"
