"""The demo's local pacts: the 2024 envelopes, 122 pacts and 457 actions with their survey answers, and the
survey campaign.

- **Envelopes 2024**: 17,827,000 € (seed l.2148), shared by the synthetic poverty indicator of
  `pacts/data/indicateur-pauvrete-demo.csv` (not INSEE data) with an overseas uplift of 1.25, then frozen —
  through the envelope services, as the DIPLP would.
- **Pacts**: drawn by the generator (`demo.generator.pacts`) in proportion with the demo's contract actions
  (122 pacts, 457 actions), then calibrated on chapter III of the bilan (`demo.chapter3`): statuses and
  dates, amounts within 95 % of each région's frozen envelope, action fields, co-financings and survey
  answers rewritten so that every `pl.*` figure gives the published value. Every pact and action gets its
  creation entry in the history (the generator writes none), so that a later change shows field by field.
  One pact of the Nouvelle-Aquitaine covers the Gironde, for its DDETS to read.
- **Survey 2024** (campaign of kind `enquete`): opened 14 days ago, closing in three weeks; the commissioner of
  each région (`COMMISSIONERS`, same password as every demo account; the Occitanie's is the demo
  commissioner) submitted its dossier, the DIPLP validated all eighteen: the bilan reads chapter III from
  their snapshots (`bilan --campaign`).
"""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.apps import apps
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from pilotactions.accounts.enums import OrganisationKind, RoleKind
from pilotactions.accounts.models import Organisation
from pilotactions.accounts.services import role_grant, system_role, user_get_or_create
from pilotactions.campaigns.enums import CampaignKind
from pilotactions.campaigns.models import Campaign
from pilotactions.campaigns.services import campaign_save, dossier_problems, dossier_submit, dossier_validate
from pilotactions.contracts.models import Contract
from pilotactions.pacts.enums import PactTerritoryKind
from pilotactions.pacts.envelopes import DEMO_FILE, envelope_year_freeze, envelope_year_save, indicator_import
from pilotactions.pacts.models import EnvelopeYear, Pact, PactAction
from pilotactions.territories.models import Departement

from .accounts import DEMO_PASSWORD
from .campaigns import ADMIN, DOMAIN, _role
from .chapter3 import pacts_calibrate
from .generator.pacts import generate_pacts

YEAR = 2024
NATIONAL_AMOUNT = Decimal("17827000")
OVERSEAS_UPLIFT = Decimal("1.25")
SURVEY = "Enquête 2024 auprès des commissaires sur les pactes locaux"
# The commissioner of each région, who submitted its survey: (région, e-mail local part, first name, last
# name); the Occitanie's is the demo account `commissaire.occitanie` (demo.accounts).
COMMISSIONERS = [
    ("01", "commissaire.guadeloupe", "Régine", "Bellance"),
    ("02", "commissaire.martinique", "Olivier", "Sainte-Rose"),
    ("03", "commissaire.guyane", "Maud", "Lama"),
    ("04", "commissaire.la-reunion", "Patrick", "Hoarau"),
    ("06", "commissaire.mayotte", "Anziza", "Madi"),
    ("11", "commissaire.ile-de-france", "Nadia", "Benali"),
    ("24", "commissaire.centre-val-de-loire", "Étienne", "Morin"),
    ("27", "commissaire.bourgogne-franche-comte", "Lucie", "Girardot"),
    ("28", "commissaire.normandie", "Hervé", "Lecoq"),
    ("32", "commissaire.hauts-de-france", "Julien", "Vasseur"),
    ("44", "commissaire.grand-est", "Claire", "Schmitt"),
    ("52", "commissaire.pays-de-la-loire", "Yann", "Le Goff"),
    ("53", "commissaire.bretagne", "Maëlle", "Kerjean"),
    ("75", "commissaire.nouvelle-aquitaine", "Sophie", "Darrigrand"),
    ("76", "commissaire.occitanie", "Sophie", "Garnier"),
    ("84", "commissaire.auvergne-rhone-alpes", "Bruno", "Chabert"),
    ("93", "commissaire.provence-alpes-cote-d-azur", "Karima", "Benhamou"),
    ("94", "commissaire.corse", "Paul-Antoine", "Santoni"),
]
GIRONDE = "33"


def demo_pacts_load(now=None) -> int:
    """Envelopes, pacts and survey of 2024 (idempotent); returns the number of pacts created."""
    now = now or timezone.now()
    with transaction.atomic():
        _envelopes()
    created = 0
    if not Pact.objects.filter(year=YEAR).exists():
        created = _pacts()
    if not Campaign.objects.filter(name=SURVEY).exists():
        with transaction.atomic():
            _survey(now)
    return created


def _envelopes() -> None:
    if EnvelopeYear.objects.filter(year=YEAR).exists():
        return
    role = system_role()
    envelope_year, _ = envelope_year_save(
        role=role, year=YEAR, national_amount=NATIONAL_AMOUNT, overseas_uplift=OVERSEAS_UPLIFT
    )
    with DEMO_FILE.open("rb") as handle:
        indicator_import(
            role=role,
            envelope_year=envelope_year,
            fileobj=handle,
            file_name=DEMO_FILE.name,
            source="Démonstration : indicateur synthétique (population × taux), pas une donnée de l’Insee",
            indicator_year=2021,
        )
    envelope_year.refresh_from_db()
    envelope_year_freeze(role=role, envelope_year=envelope_year, expected_version=envelope_year.version)


def _pacts() -> int:
    # The generator shares the pacts among régions by contract actions: the demo's contracts, one plan each.
    plans = [
        SimpleNamespace(size=row["actions"], authority=SimpleNamespace(id=row["authority_id"]))
        for row in Contract.objects.values("authority_id").annotate(actions=Count("actions")).filter(actions__gt=0)
    ]
    generate_pacts(plans=plans, seed=2025, year=YEAR)
    _cover_gironde()
    pacts_calibrate()
    pacts = Pact.objects.filter(year=YEAR)
    author = system_role().user
    Pact.history.bulk_history_create(list(pacts), default_user=author, default_change_reason="Démonstration")
    PactAction.history.bulk_history_create(
        list(PactAction.objects.filter(pact__year=YEAR)), default_user=author, default_change_reason="Démonstration"
    )
    for model in (Pact, PactAction):
        _m2m_history(model)
    return pacts.count()


def _m2m_history(model) -> None:
    """`bulk_history_create` writes no many-to-many history: each creation entry gets its relations (communes,
    priorities, option lists…), so that the next change lists only what it changed."""
    latest = dict(model.history.order_by("history_id").values_list("id", "history_id"))  # object id → its entry
    for field in model._meta.many_to_many:
        try:
            history_through = apps.get_model(model._meta.app_label, f"Historical{model.__name__}_{field.name}")
        except LookupError:  # a relation the history does not follow
            continue
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        rows = field.remote_field.through.objects.filter(**{f"{source}_id__in": list(latest)})
        history_through.objects.bulk_create(
            (
                history_through(id=pk, history_id=latest[owner], **{f"{source}_id": owner, f"{target}_id": other})
                for pk, owner, other in rows.values_list("id", f"{source}_id", f"{target}_id").iterator()
            ),
            batch_size=1000,
        )


def _cover_gironde() -> None:
    """The first département-wide pact of the Nouvelle-Aquitaine is the Gironde's (the generator drew another)."""
    gironde = Departement.objects.get(code=GIRONDE)
    if Pact.objects.filter(year=YEAR, departements=gironde).exists():
        return
    pact = (
        Pact.objects.filter(year=YEAR, region=gironde.region, territory_kind=PactTerritoryKind.DEPARTEMENT)
        .order_by("reference")
        .first()
    ) or Pact.objects.filter(year=YEAR, region=gironde.region).order_by("reference").first()
    Pact.objects.filter(pk=pact.pk).update(  # before its creation entry is written: no history of its own
        territory_kind=PactTerritoryKind.DEPARTEMENT,
        territory_label="",
        title="Pacte local des solidarités de la Gironde",
    )
    for relation in (Pact.communes, Pact.epcis, Pact.departements):  # through rows: no m2m history signal
        relation.through.objects.filter(pact=pact).delete()
    Pact.departements.through.objects.create(pact=pact, departement=gironde)


def _survey(now) -> None:
    admin = _role(ADMIN, RoleKind.NATIONAL_ADMIN)
    campaign = campaign_save(
        campaign=Campaign(
            name=SURVEY,
            kind=CampaignKind.ENQUETE,
            year=YEAR,
            opens_at=now - timedelta(days=14),
            closes_at=now + timedelta(days=21),
            instructions=(
                "Pour chaque pacte local de votre région et chacune de ses actions, répondez aux questions de "
                "l’enquête ; les réponses déjà saisies dans les fiches sont reprises. Soumettez ensuite le dossier "
                "de la région à la DIPLP."
            ),
            reminder_days=[7, 2],
        ),
        contract_types=[],
        role=admin,
    )
    commissioners = _commissioners()
    for dossier in campaign.dossiers.select_related("region").filter(region__code__in=commissioners):
        if dossier_problems(dossier):
            continue  # a région whose answers miss one stays a draft (the calibration answers them all)
        dossier_submit(dossier=dossier, role=commissioners[dossier.region.code])
        dossier_validate(dossier=dossier, role=admin, comment="Merci pour ces réponses complètes.")


def _commissioners() -> dict:
    """The regional role of each commissioner who submitted, by région code (idempotent)."""
    roles = {}
    for code, local, first_name, last_name in COMMISSIONERS:
        user, _ = user_get_or_create(
            email=f"{local}@{DOMAIN}", first_name=first_name, last_name=last_name, password=DEMO_PASSWORD
        )
        organisation = Organisation.objects.get(kind=OrganisationKind.REGIONAL_STATE, region__code=code, acronym="SGAR")
        roles[code] = role_grant(user=user, kind=RoleKind.REGIONAL, organisation=organisation, granted_by=None)
    return roles
