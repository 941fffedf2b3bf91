from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "pilotactions.campaigns"
    verbose_name = "Campagnes de saisie"

    def ready(self):
        from pilotactions.contracts import perms as contract_perms

        from .locks import contract_content_lock

        # Campaigns govern when a contract's content may change (contracts does not import campaigns).
        contract_perms.EDIT_GUARDS.append(contract_content_lock)

        from pilotactions.accounts.todo import TODO_PROVIDERS

        from .todo import campaign_todos

        TODO_PROVIDERS.append(campaign_todos)  # the home page lists the dossiers waiting for the person
