from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "pilotactions.accounts"
    verbose_name = "Comptes et rôles"


class NationalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "pilotactions.accounts.admin_site.NationalAdminSite"
