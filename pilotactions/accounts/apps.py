from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pilotactions.accounts"
    verbose_name = "Comptes et rôles"
