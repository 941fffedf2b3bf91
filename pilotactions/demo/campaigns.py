"""A closed programmation campaign, all validated, and an open suivi campaign with dossiers in every state."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from pilotactions.accounts.enums import RoleKind
from pilotactions.accounts.models import Role
from pilotactions.campaigns.models import Campaign
from pilotactions.campaigns.services import (
    campaign_save,
    comment_add,
    dossier_return,
    dossier_submit,
    dossier_validate,
    execution_token,
    execution_update,
)
from pilotactions.contracts.models import ActionYear, ContractType
from pilotactions.nomenclatures.models import Option

PROGRAMMATION = "Programmation des contrats locaux des solidarités 2024"
SUIVI = "Suivi 2024 des contrats locaux des solidarités"


def _role(email, kind):
    return Role.objects.select_related("user", "organisation").get(user__email=email, kind=kind, is_active=True)


def demo_campaigns_load(now=None) -> int:
    """Create the two demo campaigns if missing; returns how many were created."""
    now = now or timezone.now()
    admin = _role("admin.national@demo.pilotactions.test", RoleKind.NATIONAL_ADMIN)
    cls_types = ContractType.objects.filter(code__in=["CLS-D", "CLS-M"])
    created = 0
    if not Campaign.objects.filter(name=PROGRAMMATION).exists():
        # Opened for the circuit to run, then dated in the past: a closed campaign, every dossier validated.
        campaign = campaign_save(
            campaign=Campaign(
                name=PROGRAMMATION,
                kind="programmation",
                year=2024,
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(hours=1),
                required_fields=["subtheme", "budget"],
                reminder_days=[7, 2],
                instructions="Saisissez chaque fiche-action du contrat signé : rattachement au Pacte, publics, "
                "calendrier et budget 2024 par financeur.",
            ),
            contract_types=cls_types,
            acting_user=admin.user,
        )
        for dossier in campaign.dossiers.select_related("contract"):
            dossier_submit(dossier=dossier, role=admin)
            dossier_validate(dossier=dossier, role=admin, comment="Contenu conforme au contrat signé.")
        campaign.opens_at, campaign.closes_at = now - timedelta(days=120), now - timedelta(days=85)
        campaign_save(campaign=campaign, contract_types=cls_types, acting_user=admin.user)
        created += 1
    if not Campaign.objects.filter(name=SUIVI).exists():
        # Closing in three weeks, with a first reminder 21 days before: due as soon as the demo is loaded.
        campaign = campaign_save(
            campaign=Campaign(
                name=SUIVI,
                kind="suivi",
                year=2024,
                opens_at=now - timedelta(days=10),
                closes_at=now + timedelta(days=21),
                required_fields=["progress_status", "spent", "assessment"],
                reminder_days=[21, 7, 2],
                instructions="Pour chaque action, indiquez son état d’avancement fin 2024, les dépenses réalisées par "
                "financeur, les bénéficiaires touchés et un bilan qualitatif.",
            ),
            contract_types=cls_types,
            acting_user=admin.user,
        )
        _run_suivi(campaign)
        created += 1
    return created


def _fill_execution(dossier, role, status_code):
    status = Option.objects.get(option_list__code="etat_avancement_actions", code=status_code)
    for action in dossier.contract.actions.filter(status="active"):
        year = ActionYear.objects.filter(action=action, year=dossier.campaign.year).first()
        execution_update(
            dossier=dossier,
            action=action,
            role=role,
            token=execution_token(year),
            indicator_values={},
            values={
                "progress_status": status,
                "deployment_satisfactory": status_code != "AV_A_PEINE_LANCEE",
                "spent_state": (year.planned_state * Decimal("0.8")).quantize(Decimal("0.01")) if year else None,
                "spent_authority": (year.planned_authority * Decimal("0.9")).quantize(Decimal("0.01"))
                if year
                else None,
                "spent_third_party": year.planned_third_party if year else None,
                "beneficiaries_reached": int((action.beneficiaries_target or 0) * 0.7),
                "assessment": "Action lancée au premier trimestre ; montée en charge conforme au calendrier, "
                "partenariats installés avec la Caf et les CCAS.",
                "difficulties": "Recrutements plus longs que prévu.",
            },
        )


def _run_suivi(campaign):
    admin = _role("admin.national@demo.pilotactions.test", RoleKind.NATIONAL_ADMIN)
    referent_nord = _role("referent.nord@demo.pilotactions.test", RoleKind.AUTHORITY_REFERENT)
    ddets_nord = _role("ddets.nord@demo.pilotactions.test", RoleKind.DEPARTMENTAL_STATE)
    dossiers = {d.contract.authority.code: d for d in campaign.dossiers.select_related("contract__authority")}
    # Gironde: validated. Métropole européenne de Lille: submitted. Nord: returned, then discussed.
    # Seine-Saint-Denis: still a draft.
    if "33" in dossiers:
        _fill_execution(dossiers["33"], admin, "AV_EN_COURS")
        dossier_submit(dossier=dossiers["33"], role=admin)
        dossier_validate(dossier=dossiers["33"], role=admin)
    if "200093201" in dossiers:
        _fill_execution(dossiers["200093201"], admin, "AV_EN_COURS")
        dossier_submit(dossier=dossiers["200093201"], role=admin)
    if "59" in dossiers:
        nord = dossiers["59"]
        _fill_execution(nord, referent_nord, "AV_TERMINEE")
        dossier_submit(dossier=nord, role=referent_nord)
        bus = nord.contract.actions.filter(title__startswith="Bus des droits").first()
        dossier_return(
            dossier=nord,
            role=ddets_nord,
            action=bus,
            comment="Le bus des droits est indiqué « terminé » alors que la tournée 2025 est programmée : "
            "pouvez-vous corriger l’état d’avancement (en cours de déploiement) ?",
        )
        comment_add(
            dossier=nord,
            role=referent_nord,
            action=bus,
            text="Bien noté, nous corrigeons l’état d’avancement et ajoutons le nombre de communes desservies.",
        )
