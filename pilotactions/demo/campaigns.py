"""The demo's campaigns, run through the campaign services, dated relative to the day of loading.

- « Programmation 2024 »: opened 120 days ago, closed 85 days ago; every one of the 113 dossiers submitted
  and validated (by the authority's référent and the State service of its territory where the demo has
  these people, by the DIPLP elsewhere). Its required fields leave out the sub-theme, the nature, the budget,
  the publics and the beneficiaries, which the report's bases show were not always filled.
- « Suivi 2024 »: opened 10 days ago, closing in three weeks, with a first reminder due as soon as the demo is
  loaded; 115 dossiers (the two contracts signed in December 2024 included) in every state, with the
  exchanges of `texts.EXCHANGES` between référents and State services, and the demo accounts' journeys:
  the Nord's dossier validated after a return about the bus des droits (its evaluation fiche reads it), the
  Pas-de-Calais' returned with a comment to answer, the Métropole européenne de Lille's submitted (for the DDETS
  du Nord to validate), the Gironde's validated, the Seine-Saint-Denis' still a draft.

The services stamp every event « now »; once a dossier has gone through its circuit, its events, comments
and snapshots are dated back to when they would have happened.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pilotactions.accounts.enums import OrganisationKind, RoleKind
from pilotactions.accounts.models import Organisation, Role
from pilotactions.accounts.services import role_grant, user_get_or_create
from pilotactions.campaigns.enums import DossierState
from pilotactions.campaigns.models import Campaign, Dossier, DossierComment, DossierEvent, DossierSnapshot
from pilotactions.campaigns.services import (
    campaign_save,
    comment_add,
    dossier_reopen,
    dossier_return,
    dossier_submit,
    dossier_validate,
    execution_token,
    execution_update,
)
from pilotactions.contracts.models import Action, ActionYear, ContractType
from pilotactions.nomenclatures.models import Option

from .accounts import DEMO_PASSWORD
from .contracts import demo_late_contracts_load
from .texts import ASSESSMENTS, DIFFICULTIES, EXCHANGE_PEOPLE, EXCHANGES

PROGRAMMATION = "Programmation des contrats locaux des solidarités 2024"
SUIVI = "Suivi 2024 des contrats locaux des solidarités"
ADMIN = "admin.national@demo.pilotactions.test"
VALIDATOR = "instruction.diplp@demo.pilotactions.test"
DOMAIN = "demo.pilotactions.test"
PROGRAMMATION_REQUIRED = [
    "description",
    "policy_fields",
    "action_types",
    "pilot_type",
    "implementation",
    "scale",
    "qpv_targeting",
    "rural_targeting",
    "direct_impact",
    "start_date",
    "end_date",
]
SUIVI_REQUIRED = ["progress_status", "spent", "assessment"]
# Follow-up dossiers besides the journeys and exchanges: how many validated and submitted.
SUIVI_VALIDATED, SUIVI_SUBMITTED = 32, 14
PARTLY_FILLED_DRAFTS = 20


def rng_for(*parts) -> random.Random:
    return random.Random(":".join(["demo-campaigns", *map(str, parts)]))


def _role(email, kind):
    return Role.objects.select_related("user", "organisation").get(user__email=email, kind=kind, is_active=True)


def demo_people_load() -> list[str]:
    """The référents and State agents who exchange on the dossiers (idempotent); returns their e-mails."""
    emails = []
    for authority_code, referent, departement, state in EXCHANGE_PEOPLE:
        organisation = Organisation.objects.get(kind=OrganisationKind.AUTHORITY, authority__code=authority_code)
        for spec, kind, org in (
            (referent, RoleKind.AUTHORITY_REFERENT, organisation),
            (
                state,
                RoleKind.DEPARTMENTAL_STATE,
                Organisation.objects.filter(departement__code=departement, acronym="DDETS").first(),
            ),
        ):
            if spec is None:
                continue
            local, first_name, last_name = spec
            email = f"{local}@{DOMAIN}"
            user, _ = user_get_or_create(
                email=email, first_name=first_name, last_name=last_name, password=DEMO_PASSWORD
            )
            role_grant(user=user, kind=kind, organisation=org, granted_by=None)
            emails.append(email)
    return emails


class People:
    """Who acts for a dossier: the authority's référent and the State service of its territory, when the
    demo has them; otherwise the DIPLP's administrator submits and a second DIPLP administrator
    validates (four eyes)."""

    def __init__(self):
        self.admin = _role(ADMIN, RoleKind.NATIONAL_ADMIN)
        self.validator = _role(VALIDATOR, RoleKind.NATIONAL_ADMIN)
        roles = Role.objects.active().select_related("user", "organisation").filter(user__email__endswith=DOMAIN)
        self.referents = {}
        self.states = {}
        for role in roles:
            if role.kind == RoleKind.AUTHORITY_REFERENT:
                self.referents[role.organisation.authority_id] = role
            elif role.kind == RoleKind.DEPARTMENTAL_STATE:
                self.states[role.organisation.departement_id] = role

    def referent(self, dossier):
        return self.referents.get(dossier.contract.authority_id, self.admin)

    def state(self, dossier):
        authority = dossier.contract.authority
        departements = [authority.departement_id] + sorted(d.id for d in authority.departements.all())
        for departement in departements:
            if departement in self.states:
                return self.states[departement]
        return self.validator


def demo_campaigns_load(now=None) -> int:
    """The two campaigns (and, between them, the contracts signed late); returns how many were created."""
    now = now or timezone.now()
    demo_people_load()
    cls_types = ContractType.objects.filter(code__in=["CLS-D", "CLS-M"])
    created = 0
    if not Campaign.objects.filter(name=PROGRAMMATION).exists():
        with transaction.atomic():
            _programmation(now, cls_types)
        created += 1
    demo_late_contracts_load()
    if not Campaign.objects.filter(name=SUIVI).exists():
        with transaction.atomic():
            _suivi(now, cls_types)
        created += 1
    return created


# --- Programmation ---------------------------------------------------------------------------------


def _programmation(now, cls_types) -> None:
    people = People()
    # Opened for the circuit to run, then dated in the past: a closed campaign, every dossier validated.
    campaign = campaign_save(
        campaign=Campaign(
            name=PROGRAMMATION,
            kind="programmation",
            year=2024,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(hours=1),
            required_fields=PROGRAMMATION_REQUIRED,
            reminder_days=[14, 7, 2],
            instructions="Saisissez chaque fiche-action du contrat signé : rattachement au Pacte, publics, "
            "calendrier, pilote et partenaires, budget 2024 par financeur. La sous-thématique, la nature de "
            "l’action et le budget sont à compléter dès qu’ils sont connus ; ils ne bloquent pas la soumission.",
        ),
        contract_types=cls_types,
        role=people.admin,
    )
    opens, closes = now - timedelta(days=120), now - timedelta(days=85)
    rng = rng_for("programmation")
    dossiers = campaign.dossiers.select_related("contract__authority").order_by("contract__reference")
    for dossier in dossiers:
        dossier_submit(dossier=dossier, role=people.referent(dossier))
        dossier_validate(dossier=dossier, role=people.state(dossier), comment="Contenu conforme au contrat signé.")
        submitted = opens + timedelta(days=rng.randint(6, 28), hours=rng.randint(8, 10), minutes=rng.randint(0, 59))
        validated = min(
            closes - timedelta(hours=6), submitted + timedelta(days=rng.randint(1, 8), hours=rng.randint(1, 6))
        )
        _date_events(dossier, [submitted, validated])
    campaign.opens_at, campaign.closes_at = opens, closes
    campaign_save(campaign=campaign, contract_types=cls_types, role=people.admin)
    Campaign.objects.filter(pk=campaign.pk).update(created_at=opens - timedelta(days=5))


def _date_events(dossier, times, comment_times=()) -> None:
    """Date the dossier's events (in order) and comments (in order), and what goes with them."""
    for event, at in zip(DossierEvent.objects.filter(dossier=dossier).order_by("id"), times, strict=False):
        DossierEvent.objects.filter(pk=event.pk).update(at=at)
        if event.kind == "submit":
            Dossier.objects.filter(pk=dossier.pk).update(submitted_at=at)
            snapshot = DossierSnapshot.objects.filter(dossier=dossier, created_at__gt=at).order_by("id").first()
            if snapshot:
                DossierSnapshot.objects.filter(pk=snapshot.pk).update(created_at=at)
        elif event.kind == "validate":
            Dossier.objects.filter(pk=dossier.pk).update(validated_at=at)
    for comment, at in zip(DossierComment.objects.filter(dossier=dossier).order_by("id"), comment_times, strict=False):
        DossierComment.objects.filter(pk=comment.pk).update(created_at=at)


# --- Suivi ---------------------------------------------------------------------------------------------


def _suivi(now, cls_types) -> None:
    people = People()
    # Closing in three weeks, with a first reminder 21 days before: due as soon as the demo is loaded.
    campaign = campaign_save(
        campaign=Campaign(
            name=SUIVI,
            kind="suivi",
            year=2024,
            opens_at=now - timedelta(days=10),
            closes_at=now + timedelta(days=21),
            required_fields=SUIVI_REQUIRED,
            reminder_days=[21, 7, 2],
            instructions="Pour chaque action, indiquez son état d’avancement fin 2024, les dépenses réalisées par "
            "financeur, les bénéficiaires touchés et un bilan qualitatif ; renseignez les indicateurs prévus.",
        ),
        contract_types=cls_types,
        role=people.admin,
    )
    Campaign.objects.filter(pk=campaign.pk).update(created_at=now - timedelta(days=12))
    statuses = {o.code: o for o in Option.objects.filter(option_list__code="etat_avancement_actions")}
    dossiers = {
        d.contract.authority.code: d
        for d in campaign.dossiers.select_related("contract__authority", "campaign").order_by("contract__reference")
    }
    clock = Clock(now)
    run = SuiviRun(people, statuses, clock)
    # The demo accounts' journeys.
    run.nord(dossiers["59"])
    run.fill(dossiers["200093201"], people.admin)
    run.submit(dossiers["200093201"], people.admin)
    # The exchanges between référents and State services.
    for code in sorted(EXCHANGES):
        run.exchange(dossiers[code], EXCHANGES[code])
    # The others: validated, submitted, partly filled or not started.
    rng = rng_for("suivi")
    busy = {"59", "200093201", "93", *EXCHANGES}
    others = [d for code, d in sorted(dossiers.items()) if code not in busy and d.contract.actions.exists()]
    rng.shuffle(others)
    for dossier in others[:SUIVI_VALIDATED]:
        run.fill(dossier, people.admin)
        run.submit(dossier, people.admin)
        run.validate(dossier, people.state(dossier), "")
    for dossier in others[SUIVI_VALIDATED : SUIVI_VALIDATED + SUIVI_SUBMITTED]:
        run.fill(dossier, people.admin)
        run.submit(dossier, people.admin)
    for dossier in others[SUIVI_VALIDATED + SUIVI_SUBMITTED :][:PARTLY_FILLED_DRAFTS]:
        run.fill(dossier, people.admin, share=rng.uniform(0.2, 0.7))
    for dossier in dossiers.values():
        run.stamp(dossier)


class Clock:
    """Plausible times within the ten days the campaign has been open, in the order things happened."""

    def __init__(self, now):
        self.now = now
        self.rng = rng_for("clock")

    def start(self):
        return self.now - timedelta(days=self.rng.randint(5, 9), hours=self.rng.randint(0, 6))

    def later(self, after):
        at = after + timedelta(hours=self.rng.randint(3, 40), minutes=self.rng.randint(0, 59))
        # Capped a little before now, but never before `after`: the steps keep their order.
        return min(at, max(self.now - timedelta(minutes=self.rng.randint(20, 90)), after + timedelta(minutes=5)))


class SuiviRun:
    def __init__(self, people, statuses, clock):
        self.people = people
        self.statuses = statuses
        self.clock = clock
        self.times: dict[int, dict] = {}

    # Execution fields ------------------------------------------------------------------------------

    def fill(self, dossier, role, share=1.0, overrides=None):
        """Report the execution of the dossier's actions (a `share` of them for a draft in progress)."""
        overrides = overrides or {}
        actions = list(Action.objects.filter(contract=dossier.contract, status="active").order_by("number"))
        rng = rng_for("fill", dossier.contract.reference)
        count = round(len(actions) * share)
        years = {y.action_id: y for y in ActionYear.objects.filter(action__in=actions, year=dossier.campaign.year)}
        for action in actions[:count]:
            values, indicators = self.execution(rng, action, years.get(action.pk))
            values.update(overrides.get(action.pk, {}))
            execution_update(
                dossier=dossier,
                action=action,
                role=role,
                # An action without a budget has no year yet: the service creates it, blank.
                token=execution_token(years.get(action.pk)),
                indicator_values=indicators,
                values=values,
            )
            years[action.pk] = ActionYear.objects.get(action=action, year=dossier.campaign.year)

    def execution(self, rng, action, year):
        ends_2024 = action.end_date is not None and action.end_date.year == 2024
        draw = rng.random()
        if ends_2024:
            status = "AV_TERMINEE" if draw < 0.75 else "AV_EN_COURS"
        else:
            status = (
                "AV_EN_COURS"
                if draw < 0.66
                else "AV_A_PEINE_LANCEE"
                if draw < 0.86
                else "AV_TERMINEE"
                if draw < 0.91
                else "AV_NON_DEMARREE"
                if draw < 0.985
                else "AV_ABANDONNEE"
            )
        spent_ratio = {
            "AV_EN_COURS": rng.uniform(0.6, 0.95),
            "AV_TERMINEE": rng.uniform(0.9, 1.0),
            "AV_A_PEINE_LANCEE": rng.uniform(0.1, 0.4),
            "AV_NON_DEMARREE": 0.0,
            "AV_ABANDONNEE": rng.uniform(0.0, 0.2),
        }[status]

        def spent(planned):
            return (planned * Decimal(str(spent_ratio)) / 100).quantize(Decimal("1")) * 100

        if year is not None and year.has_budget:
            amounts = {
                "spent_state": spent(year.planned_state),
                "spent_authority": spent(year.planned_authority),
                "spent_third_party": spent(year.planned_third_party) if year.planned_third_party else None,
            }
        else:  # no budget from the contract: carried by the authority's ordinary budget
            amounts = {"spent_state": Decimal("0.00"), "spent_authority": Decimal("0.00"), "spent_third_party": None}
        reached = None
        if action.beneficiaries_target:
            reached = int(action.beneficiaries_target * min(1.2, spent_ratio * rng.uniform(0.8, 1.25)))
        values = {
            "progress_status": self.statuses[status],
            "deployment_satisfactory": status in ("AV_EN_COURS", "AV_TERMINEE") and rng.random() < 0.9,
            "beneficiaries_reached": reached,
            "assessment": rng.choice(ASSESSMENTS[status]),
            "difficulties": rng.choice(DIFFICULTIES),
            **amounts,
        }
        indicators = {}
        for indicator in action.indicators.all():
            if indicator.target is not None and status != "AV_NON_DEMARREE":
                ratio = Decimal(str(round(min(1.15, spent_ratio * rng.uniform(0.8, 1.2)), 2)))
                indicators[indicator] = (indicator.target * ratio).quantize(Decimal("1"))
        return values, indicators

    # Transitions (services), with their times ------------------------------------------------------------

    def _times(self, dossier):
        return self.times.setdefault(dossier.pk, {"events": [], "comments": [], "last": self.clock.start()})

    def _tick(self, dossier, kind):
        times = self._times(dossier)
        times["last"] = self.clock.later(times["last"])
        times[kind].append(times["last"])

    def submit(self, dossier, role):
        dossier_submit(dossier=dossier, role=role)
        self._tick(dossier, "events")

    def validate(self, dossier, role, comment):
        dossier_validate(dossier=_fresh(dossier), role=role, comment=comment)
        self._tick(dossier, "events")

    def reopen(self, dossier, reason):
        admin = _role(ADMIN, RoleKind.NATIONAL_ADMIN)
        dossier_reopen(dossier=_fresh(dossier), role=admin, reason=reason)
        self._tick(dossier, "events")

    def give_back(self, dossier, role, action, comment):
        dossier_return(dossier=_fresh(dossier), role=role, action=action, comment=comment)
        self._tick(dossier, "events")
        self._times(dossier)["comments"].append(self._times(dossier)["last"])

    def comment(self, dossier, role, action, text):
        comment_add(dossier=_fresh(dossier), role=role, action=action, text=text)
        self._tick(dossier, "comments")

    def stamp(self, dossier):
        times = self.times.get(dossier.pk)
        if times:
            _date_events(dossier, times["events"], times["comments"])

    # Journeys --------------------------------------------------------------------------------------------

    def nord(self, dossier):
        """Returned by the DDETS du Nord about the bus des droits; the référent answered, corrected and submitted
        again; the DDETS validated: the Nord contract's mid-term evaluation reads this validated follow-up."""
        referent = _role("referent.nord@demo.pilotactions.test", RoleKind.AUTHORITY_REFERENT)
        ddets = _role("ddets.nord@demo.pilotactions.test", RoleKind.DEPARTMENTAL_STATE)
        bus = dossier.contract.actions.filter(title__startswith="Bus des droits").first()
        self.fill(dossier, referent, overrides={bus.pk: {"progress_status": self.statuses["AV_TERMINEE"]}})
        self.submit(dossier, referent)
        self.give_back(
            dossier,
            ddets,
            bus,
            "Le bus des droits est indiqué « terminé » alors que la tournée 2025 est programmée : "
            "pouvez-vous corriger l’état d’avancement (en cours de déploiement) ?",
        )
        self.comment(
            dossier,
            referent,
            bus,
            "Bien noté, nous corrigeons l’état d’avancement et ajoutons le nombre de communes desservies.",
        )
        self.fill(dossier, referent, overrides={bus.pk: {"progress_status": self.statuses["AV_EN_COURS"]}})
        self.submit(dossier, referent)
        self.validate(dossier, ddets, "Merci pour la correction du bus des droits : suivi 2024 validé.")

    def exchange(self, dossier, steps):
        referent = self.people.referent(dossier)
        state = self.people.state(dossier)
        actions = list(dossier.contract.actions.filter(status="active").order_by("number"))

        def pointed(subtheme):
            if subtheme is None:
                return None
            return next((a for a in actions if a.subtheme and a.subtheme.code == subtheme), actions[0])

        first = steps[0]
        anomaly = self.anomaly(dossier, pointed(first[2]) if len(first) > 2 else None) if first[0] == "return" else {}
        self.fill(dossier, referent, overrides=anomaly)
        for step in steps:
            kind = step[0]
            if kind == "return":
                if _fresh(dossier).state == DossierState.DRAFT:
                    self.submit(dossier, referent)
                action = pointed(step[2])
                self.give_back(dossier, state, action, step[3].format(action=action.title if action else ""))
            elif kind == "comment":
                action = pointed(step[2])
                role = referent if step[1] == "authority" else state
                self.comment(dossier, role, action, step[3].format(action=action.title if action else ""))
            elif kind == "submit":
                if anomaly and _fresh(dossier).state == DossierState.RETURNED:
                    self.fill(dossier, referent, share=1.0)  # the corrections asked for
                self.submit(dossier, referent)
            elif kind == "validate":
                self.validate(dossier, state, step[1])
            elif kind == "reopen":  # by the DIPLP, after a validation
                self.reopen(dossier, step[1])

    def anomaly(self, dossier, action):
        """What the State service will ask to correct (see `texts.EXCHANGES`)."""
        code = dossier.contract.authority.code
        actions = list(dossier.contract.actions.filter(status="active").order_by("number"))
        years = {y.action_id: y for y in ActionYear.objects.filter(action__in=actions, year=dossier.campaign.year)}
        budgeted = [a for a in actions if a.pk in years and years[a.pk].has_budget]
        if code == "13" and action is not None:  # a status that does not match the convention
            return {action.pk: {"progress_status": self.statuses["AV_TERMINEE"]}}
        if code == "69M" and action is not None and action.pk in years:  # a zero too many
            return {action.pk: {"spent_authority": years[action.pk].planned_authority * 10}}
        if code == "62":  # State spending above the maquette
            return {
                a.pk: {"spent_state": (years[a.pk].planned_state * Decimal("1.3")).quantize(Decimal("1"))}
                for a in budgeted[:2]
            }
        if code == "243100518":  # one-line assessments for three actions carried by communes
            return {a.pk: {"assessment": "En cours."} for a in actions[:3]}
        return {}


def _fresh(dossier):
    return Dossier.objects.select_related("campaign", "contract__authority").get(pk=dossier.pk)
