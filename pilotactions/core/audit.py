from contextvars import ContextVar

from django.db import models

from .models import AuditEvent

# The role the signed-in user acts with during this request (set by accounts' CurrentRoleMiddleware),
# so that services still taking a bare user record the role and organisation acted as.
request_role: ContextVar = ContextVar("request_role", default=None)


def audit_event_record(
    *, actor, verb: str, target: models.Model, message: str = "", data: dict | None = None
) -> AuditEvent:
    """Write a business event; call it inside the service's transaction so both commit together.

    `actor` is the acting role (preferred: its user, kind and organisation are recorded) or a user;
    for a user, the request's current role is recorded when it is one of theirs.
    """
    role = actor if hasattr(actor, "organisation_id") and hasattr(actor, "user_id") else None
    user = role.user if role is not None else actor
    if role is None:
        current = request_role.get()
        if current is not None and getattr(user, "pk", None) == current.user_id:
            role = current
    return AuditEvent.objects.create(
        actor=user if getattr(user, "pk", None) else None,
        role_id=role.pk if role else None,
        role_label=role.get_kind_display()[:64] if role else "",
        organisation_id=role.organisation_id if role else None,
        organisation_label=str(role.organisation)[:200] if role else "",
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:255],
        message=message,
        data=data or {},
    )


# The French label of every event verb, for the journal (accounts/journal.py) and its exports: the one place
# where a verb is named for people. A verb missing here is shown as its code, so a new one never breaks a page.
VERB_LABELS = {
    "access_request_accepted": "Demande d’accès acceptée",
    "access_request_created": "Demande d’accès reçue",
    "access_request_refused": "Demande d’accès refusée",
    "action_created": "Action créée",
    "action_duplicated": "Action dupliquée",
    "action_restored": "Action rétablie",
    "action_updated": "Action modifiée",
    "action_withdrawn": "Action retirée",
    "actions_imported": "Actions importées",
    "amendment_created": "Avenant enregistré",
    "api_token_created": "Jeton d’API créé",
    "api_token_revoked": "Jeton d’API révoqué",
    "campaign_created": "Campagne créée",
    "campaign_updated": "Campagne modifiée",
    "committee_closed": "Comité clos",
    "committee_created": "Comité créé",
    "committee_opened": "Comité ouvert",
    "committee_updated": "Comité modifié",
    "contract_created": "Contrat créé",
    "contract_updated": "Contrat modifié",
    "digest_disabled": "Récapitulatif désactivé",
    "digest_enabled": "Récapitulatif activé",
    "document_added": "Document ajouté",
    "dossier_commented": "Dossier commenté",
    "dossier_extended": "Délai du dossier prolongé",
    "dossier_reminded": "Relance du dossier",
    "dossier_reopened": "Dossier rouvert",
    "dossier_returned": "Dossier renvoyé pour correction",
    "dossier_submitted": "Dossier soumis",
    "dossier_validated": "Dossier validé",
    "envelope_indicator_imported": "Indicateur d’enveloppe importé",
    "envelope_set": "Enveloppe fixée",
    "envelope_year_created": "Année d’enveloppes créée",
    "envelope_year_frozen": "Année d’enveloppes figée",
    "envelope_year_unfrozen": "Année d’enveloppes rouverte",
    "envelope_year_updated": "Année d’enveloppes modifiée",
    "execution_updated": "Exécution modifiée",
    "indicator_value_recorded": "Valeur d’indicateur saisie",
    "indicator_value_validated": "Valeur d’indicateur validée",
    "indicator_value_withdrawn": "Valeur d’indicateur retirée",
    "invitation_accepted": "Invitation acceptée",
    "invitation_cancelled": "Invitation annulée",
    "invitation_resent": "Invitation renvoyée",
    "invitation_sent": "Invitation envoyée",
    "measure_updated": "Mesure modifiée",
    "objective_created": "Objectif créé",
    "objective_updated": "Objectif modifié",
    "objective_value_recorded": "Valeur d’objectif saisie",
    "objective_value_withdrawn": "Valeur d’objectif retirée",
    "option_created": "Valeur de liste créée",
    "option_restored": "Valeur de liste rétablie",
    "option_retired": "Valeur de liste retirée",
    "option_updated": "Valeur de liste modifiée",
    "pact_action_created": "Action du pacte créée",
    "pact_action_restored": "Action du pacte rétablie",
    "pact_action_updated": "Action du pacte modifiée",
    "pact_action_withdrawn": "Action du pacte retirée",
    "pact_actions_imported": "Actions du pacte importées",
    "pact_created": "Pacte local créé",
    "pact_document_added": "Document du pacte ajouté",
    "pact_illustration_changed": "Illustration du bilan modifiée",
    "pact_illustration_marked": "Pacte retenu comme illustration",
    "pact_illustration_unmarked": "Pacte retiré des illustrations",
    "pact_updated": "Pacte local modifié",
    "proconnect_linked": "Compte relié à ProConnect",
    "programme_budget_saved": "Budget de programme enregistré",
    "quality_flag_checked": "Alerte qualité vérifiée",
    "regional_envelope_adjusted": "Enveloppe régionale ajustée",
    "report_text_updated": "Texte du bilan modifié",
    "role_deactivated": "Rôle désactivé",
    "role_granted": "Rôle accordé",
    "role_switched": "Changement de rôle",
    "sessions_revoked": "Déconnexion de toutes les sessions",
    "status_proposed": "Statut proposé",
    "status_rejected": "Statut refusé",
    "status_set": "Statut fixé",
    "status_validated": "Statut validé",
    "survey_answers_saved": "Réponses à l’enquête enregistrées",
    "update_request_completed": "Demande de mise à jour traitée",
    "user_deactivated": "Compte désactivé",
    "user_email_changed": "Adresse électronique modifiée",
    "user_inactivity_warned": "Avertissement d’inactivité envoyé",
    "user_pseudonymised": "Compte pseudonymisé",
    "user_reactivated": "Compte réactivé",
}


def verb_label(verb: str) -> str:
    """The French label of an event's verb (its code when it has none yet)."""
    return VERB_LABELS.get(verb, verb)
