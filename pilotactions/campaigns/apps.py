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

        from django.db.models.signals import post_save

        from pilotactions.pacts import guards as pact_guards
        from pilotactions.pacts.models import Pact

        from .surveys import pact_saved, survey_answers_lock

        # Campaigns govern when the survey answers may change (pacts does not import campaigns) …
        pact_guards.SURVEY_GUARDS.append(survey_answers_lock)
        # … and a région's first pact of a year gives it its dossier in that year's open survey campaign.
        post_save.connect(pact_saved, sender=Pact, dispatch_uid="campaigns_pact_saved")
