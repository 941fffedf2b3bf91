from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pilotactions.demo"
    verbose_name = "Démonstration"
