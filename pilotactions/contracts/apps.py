from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "pilotactions.contracts"
    verbose_name = "Contrats et fiches-actions"
