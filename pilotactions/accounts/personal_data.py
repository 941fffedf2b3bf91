"""« Mes données »: everything Pilot'actions holds about one person, as a JSON document (RGPD, right of access).

What is listed follows the register of processings (docs/personal-data.md); secrets are never exported
(password hash, API tokens' hashes and prefixes, invitation tokens).
"""

from django.apps import apps
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pilotactions.core.audit import verb_label
from pilotactions.core.models import AuditEvent

from .models import AccessRequest, DigestPreference, Invitation, ProConnectIdentity, User


def _date(value):
    if value is None:
        return None
    return timezone.localtime(value).isoformat() if hasattr(value, "hour") else value.isoformat()


def _person(user) -> str | None:
    return str(user) if user is not None else None


def history_models() -> list:
    """The historical models of django-simple-history (every app's): those recording who made a change."""
    return [
        model for model in apps.get_models() if any(field.name == "history_user" for field in model._meta.get_fields())
    ]


def history_of(user: User) -> dict:
    """Changes the person made, across the applications' history: a count and one line per record."""
    records = []
    for model in history_models():
        tracked = model.instance_type if hasattr(model, "instance_type") else model
        label = str(tracked._meta.verbose_name)
        for pk, date, kind in (
            model.objects.filter(history_user_id=user.pk)
            .order_by("history_date")
            .values_list("id", "history_date", "history_type")
        ):
            records.append(
                {
                    "date": _date(date),
                    "type_objet": label,
                    "identifiant": pk,
                    "operation": {"+": "création", "~": "modification", "-": "suppression"}.get(kind, kind),
                }
            )
    records.sort(key=lambda r: r["date"])
    return {"nombre": len(records), "modifications": records}


def personal_data_export(user: User) -> dict:
    """A JSON-ready dict of the person's data, in French keys; nobody else's personal data is included beyond
    the names of those who granted them a role or invited them (part of the person's own record)."""
    identity = ProConnectIdentity.objects.filter(user=user).first()
    digest = DigestPreference.objects.filter(user=user).first()
    access_requests = AccessRequest.objects.filter(email=user.email)
    if identity is not None:
        access_requests = access_requests | AccessRequest.objects.filter(proconnect_sub=identity.sub)
    events = AuditEvent.objects.filter(actor=user).order_by("occurred_at", "id")
    about = AuditEvent.objects.filter(target_type="accounts.user", target_id=str(user.pk)).order_by("occurred_at")
    sign_ins = []
    if apps.is_installed("axes"):
        access_log = apps.get_model("axes", "AccessLog")
        sign_ins = [
            {
                "date": _date(log.attempt_time),
                "adresse_ip": log.ip_address,
                "navigateur": log.user_agent,
                "deconnexion": _date(log.logout_time),
            }
            for log in access_log.objects.filter(username=user.email).order_by("attempt_time")
        ]
    return {
        "export": {
            "genere_le": _date(timezone.now()),
            "description": "Données personnelles détenues par Pilot'actions sur votre compte "
            "(registre : page « Données personnelles » du site).",
        },
        "profil": {
            "identifiant": user.pk,
            "adresse_electronique": user.email,
            "prenom": user.first_name,
            "nom": user.last_name,
            "actif": user.is_active,
            "inscrit_le": _date(user.date_joined),
            "derniere_connexion": _date(user.last_login),
            "mot_de_passe_defini": user.has_usable_password(),
            "compte_ferme_le": _date(user.deactivated_at),
            "motif_de_fermeture": user.deactivation_reason,
            "sessions_fermees_le": _date(user.sessions_revoked_at),
        },
        "roles": [
            {
                "role": role.get_kind_display(),
                "organisation": str(role.organisation),
                "territoire": role.organisation.territory_label,
                "actif": role.is_active,
                "accorde_le": _date(role.granted_at),
                "accorde_par": _person(role.granted_by),
                "desactive_le": _date(role.deactivated_at),
                "motif_de_desactivation": role.deactivation_reason,
            }
            for role in user.roles.select_related(
                "organisation__region", "organisation__departement", "organisation__authority", "granted_by"
            ).order_by("granted_at", "id")
        ],
        "identite_proconnect": (
            {
                "identifiant_proconnect": identity.sub,
                "relie_le": _date(identity.linked_at),
                "derniere_connexion_proconnect": _date(identity.last_sign_in_at),
            }
            if identity is not None
            else None
        ),
        # Whether a second factor is enrolled, never its key nor its backup codes.
        "double_authentification": {
            "application_inscrite": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "codes_de_secours_restants": StaticToken.objects.filter(device__user=user).count(),
        },
        "jetons_api": [
            {
                "nom": token.name,
                "portee": token.get_scope_display(),
                "role": str(token.role),
                "cree_le": _date(token.created_at),
                "expire_le": _date(token.expires_at),
                "derniere_utilisation": _date(token.last_used_at),
                "revoque_le": _date(token.revoked_at),
            }
            for token in user.api_tokens.select_related("role__organisation").order_by("created_at")
        ],
        "demandes_acces": [
            {
                "adresse_electronique": request.email,
                "prenom": request.first_name,
                "nom": request.last_name,
                "siret": request.siret,
                "organisation": str(request.organisation),
                "etat": request.get_status_display(),
                "demandee_le": _date(request.created_at),
                "traitee_le": _date(request.decided_at),
                "motif_du_refus": request.refusal_reason,
            }
            for request in access_requests.select_related("organisation").order_by("created_at")
        ],
        "invitations_recues": [
            {
                "role": invitation.get_role_kind_display(),
                "organisation": str(invitation.organisation),
                "invitee_par": _person(invitation.invited_by),
                "envoyee_le": _date(invitation.created_at),
                "etat": invitation.status_label,
            }
            for invitation in Invitation.objects.filter(email=user.email)
            .select_related("organisation", "invited_by")
            .order_by("created_at")
        ],
        # The invitations the person sent: the role and organisation only, not the invited agents' names.
        "invitations_envoyees": [
            {
                "role": invitation.get_role_kind_display(),
                "organisation": str(invitation.organisation),
                "envoyee_le": _date(invitation.created_at),
                "etat": invitation.status_label,
            }
            for invitation in Invitation.objects.filter(invited_by=user)
            .select_related("organisation")
            .order_by("created_at")
        ],
        "notifications": {
            "recapitulatif_quotidien": digest.enabled if digest else True,
            "dernier_recapitulatif_le": digest.last_sent_on.isoformat() if digest and digest.last_sent_on else None,
        },
        "journal_de_vos_actions": [_event(event) for event in events],
        "journal_de_votre_compte": [_event(event) for event in about],
        "historique_des_modifications": history_of(user),
        "connexions": sign_ins,
    }


def _event(event: AuditEvent) -> dict:
    return {
        "date": _date(event.occurred_at),
        "evenement": verb_label(event.verb),
        "role": event.role_label,
        "organisation": event.organisation_label,
        "objet": event.target_label,
        "description": event.message,
    }
