"""Writes of the campaigns: opening, dossiers, the validation circuit, comments, reminders, execution."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pilotactions.contracts.enums import ActionStatus, ContractStatus
from pilotactions.contracts.export import export_rows
from pilotactions.contracts.models import Action, ActionYear, Contract, Indicator, IndicatorValue
from pilotactions.contracts.rules import RuleReport, check_amount
from pilotactions.contracts.services import ConcurrentEditError, envelope_usage
from pilotactions.contracts.signals import data_changed
from pilotactions.core.audit import audit_event_record
from pilotactions.core.formats import euros
from pilotactions.core.tasks import email_send_on_commit

from . import perms, quality, surveys
from .acknowledgement import acknowledgement_send
from .completeness import FIELDS_BY_KIND, missing_fields
from .diff import COMMENTABLE_LABELS, TEXT_FIELDS
from .enums import EDITABLE_STATES, TRANSITIONS, CampaignKind, Transition
from .models import Campaign, Dossier, DossierComment, DossierEvent, DossierSnapshot, QualityFlag, Reminder
from .notifications import authority_recipients, dossier_url, notify, state_recipients
from .signals import dossier_reopened, dossier_validated

OPEN_CONTRACT_STATUSES = [ContractStatus.SIGNED, ContractStatus.PREPARATION]


# --- Campaigns ---------------------------------------------------------------------------------


@transaction.atomic
def campaign_save(*, campaign: Campaign, contract_types, role) -> Campaign:
    """Create or update a campaign, then make sure every concerned contract (or région, for a survey) has its dossier."""
    allowed, reason = perms.can_manage_campaigns(role)
    if not allowed:
        raise PermissionDenied(reason)
    unknown = [code for code in campaign.required_fields if code not in FIELDS_BY_KIND[campaign.kind]]
    if unknown:
        raise ValidationError({"required_fields": f"Champs inconnus pour ce type de campagne : {', '.join(unknown)}."})
    created = campaign.pk is None
    if not created:
        was = Campaign.objects.filter(pk=campaign.pk).values_list("kind", flat=True).first()
        survey_changed = (was == CampaignKind.ENQUETE) != (campaign.kind == CampaignKind.ENQUETE)
        if survey_changed and campaign.dossiers.exists():
            # A survey's dossiers are régions', the others' contracts': one campaign never mixes them.
            raise ValidationError(
                {
                    "kind": "Une campagne qui a des dossiers ne passe pas d’une enquête à une campagne sur les contrats, "
                    "ni l’inverse : ouvrez-en une nouvelle."
                }
            )
    if created:
        campaign.created_by = role.user
    campaign.full_clean()
    campaign.save()
    # A survey is about the région's local pacts: no contract type.
    campaign.contract_types.set([] if campaign.kind == CampaignKind.ENQUETE else contract_types)
    count = dossiers_sync(campaign)
    audit_event_record(
        actor=role,
        verb="campaign_created" if created else "campaign_updated",
        target=campaign,
        message=f"Campagne « {campaign} » {'ouverte' if created else 'modifiée'} ({count} dossier(s) ajouté(s)).",
    )
    return campaign


def dossiers_sync(campaign: Campaign) -> int:
    """One dossier per signed (or in preparation) contract of the campaign's types covering its year; for a
    survey (`enquete`), one per official région holding a pact of the year (campaigns.surveys)."""
    if campaign.kind == CampaignKind.ENQUETE:
        return surveys.region_dossiers_sync(campaign)
    contracts = Contract.objects.filter(
        contract_type__in=campaign.contract_types.all(),
        status__in=OPEN_CONTRACT_STATUSES,
        start_year__lte=campaign.year,
        end_year__gte=campaign.year,
    ).exclude(dossiers__campaign=campaign)
    dossiers = [Dossier(campaign=campaign, contract=contract) for contract in contracts]
    Dossier.objects.bulk_create(dossiers)
    return len(dossiers)


# --- Completeness and blocking rules -----------------------------------------------------------


@dataclass
class Problem:
    message: str
    url: str


def dossier_problems(dossier: Dossier) -> list[Problem]:
    """Every missing or invalid item that prevents submission, in French, with a link to fix it."""
    campaign = dossier.campaign
    if dossier.is_survey:
        url = surveys.survey_url(dossier)
        if not surveys.regions_with_pacts(campaign.year).filter(pk=dossier.region_id).exists():
            return [Problem(f"La région n’a aucun pacte local pour {campaign.year} : il n’y a rien à soumettre.", url)]
        return [Problem(p.message, p.url) for p in surveys.survey_problems(dossier.region, campaign.year)]
    contract = dossier.contract
    problems = []
    actions = list(
        Action.objects.filter(contract=contract, status=ActionStatus.ACTIVE)
        .prefetch_related("policy_fields", "action_types", "target_publics")
        .order_by("number")
    )
    years = {y.action_id: y for y in ActionYear.objects.filter(action__in=actions, year=campaign.year)}
    if not actions:
        problems.append(
            Problem(
                "Le contrat ne compte aucune action active.", reverse("contracts:detail", args=[contract.reference])
            )
        )
    for action in actions:
        if action.needs_state_review and not action.ceiling_justification.strip():
            problems.append(
                Problem(
                    f"Action {action.reference} « {action.title} » : la part de l’État dépasse le plafond du contrat ; "
                    "justifiez ce dépassement.",
                    reverse("contracts:action_update", args=[action.reference]),
                )
            )
        missing = missing_fields(action, years.get(action.pk), campaign.required_fields, campaign.kind)
        if missing:
            url = (
                reverse("contracts:action_update", args=[action.reference])
                if campaign.kind == CampaignKind.PROGRAMMATION
                else reverse("campaigns:execution", args=[dossier.pk, action.reference])
            )
            problems.append(
                Problem(f"Action {action.reference} « {action.title} » : à renseigner — {', '.join(missing)}.", url)
            )
    if campaign.kind == CampaignKind.PROGRAMMATION:
        for year, planned, envelope in envelope_usage(contract):
            if envelope is not None and planned > envelope:
                problems.append(
                    Problem(
                        f"En {year}, les crédits de l’État prévus ({euros(planned, 2)}) dépassent l’enveloppe annuelle "
                        f"({euros(envelope, 2)}) de {euros(planned - envelope, 2)} : réduisez-les ou demandez un avenant.",
                        reverse("contracts:detail", args=[contract.reference]),
                    )
                )
    return problems


def snapshot_data(dossier: Dossier) -> dict:
    """The frozen content of a dossier: the export rows of its actions for the campaign's year, plus
    each action's execution fields — the same keys the bilan reads from live data.

    A survey's: the région's answers of the year (pacts.survey.survey_snapshot_data) under `survey`."""
    campaign = dossier.campaign
    if dossier.is_survey:
        return {
            "schema_version": DossierSnapshot.SCHEMA_VERSION,
            "campaign": {"id": campaign.pk, "name": campaign.name, "kind": campaign.kind, "year": campaign.year},
            "region": {"code": dossier.region.code, "name": dossier.region.name},
            "survey": surveys.survey_snapshot_data(dossier.region, campaign.year),
            "actions": [],  # no contract action: the readers of contract rows (bilan --campaign) find none
        }
    contract = dossier.contract
    rows = list(export_rows(campaign.year, Action.objects.filter(contract=contract)))
    years = {
        y["action__reference"]: y
        for y in ActionYear.objects.filter(action__contract=contract, year=campaign.year).values(
            "action__reference",
            "deployment_satisfactory",
            "beneficiaries_reached",
            "spent_state",
            "spent_authority",
            "spent_third_party",
            "assessment",
            "difficulties",
        )
    }
    contents = {
        content.pop("reference"): content
        for content in Action.objects.filter(contract=contract).values("reference", *TEXT_FIELDS)
    }
    indicators = defaultdict(list)  # the mid-term evaluation reads each indicator's value of the year
    for indicator in (
        Indicator.objects.filter(action__contract=contract).select_related("action").prefetch_related("values")
    ):
        value = next((v.value for v in indicator.values.all() if v.year == campaign.year), None)
        indicators[indicator.action.reference].append(
            {
                "label": indicator.label,
                "unit": indicator.unit,
                "baseline": _amount(indicator.baseline),
                "target": _amount(indicator.target),
                "value": _amount(value),
            }
        )
    for row in rows:
        # The form's free texts, outside the export: so that a resubmission's changes to them can be shown.
        row["content"] = {
            name: _amount(value) if name == "fte_funded" else value
            for name, value in contents.get(row["action_id"], {}).items()
        }
        row["indicators"] = indicators.get(row["action_id"], [])
        execution = years.get(row["action_id"], {})
        row["execution"] = {
            "deployment_satisfactory": execution.get("deployment_satisfactory"),
            "beneficiaries_reached": execution.get("beneficiaries_reached"),
            "spent_state": _amount(execution.get("spent_state")),
            "spent_authority": _amount(execution.get("spent_authority")),
            "spent_third_party": _amount(execution.get("spent_third_party")),
            "assessment": execution.get("assessment") or "",
            "difficulties": execution.get("difficulties") or "",
        }
    return {
        "schema_version": DossierSnapshot.SCHEMA_VERSION,
        "campaign": {"id": campaign.pk, "name": campaign.name, "kind": campaign.kind, "year": campaign.year},
        "contract": {
            "reference": contract.reference,
            "contract_type": contract.contract_type.code,
            "authority_code": contract.authority.code,
            "status": contract.status,
            "envelopes": {str(y): _amount(a) for y, a in contract.envelopes.values_list("year", "amount")},
        },
        "actions": rows,
    }


def _amount(value) -> str | None:
    return None if value is None else f"{value:.2f}"


# --- The circuit --------------------------------------------------------------------------------


def _check_target(dossier: Dossier, action: Action | None, field: str) -> None:
    """What a comment points at: an action of the dossier's contract, and one of the fields people comment on.
    A survey's comments are about the dossier as a whole."""
    if dossier.is_survey and (action is not None or field):
        raise ValidationError({"action": "Un message sur une enquête porte sur le dossier dans son ensemble."})
    if action is not None and action.contract_id != dossier.contract_id:
        raise ValidationError({"action": "Cette action n’appartient pas au contrat du dossier."})
    if field and (action is None or field not in COMMENTABLE_LABELS):
        raise ValidationError({"field": "Choisissez un champ de l’action parmi ceux de la liste."})


def _transition(dossier: Dossier, transition: str, *, role, comment: str = "", now=None) -> DossierEvent:
    allowed, reason = perms.can_transition(role, dossier, transition, now)
    if not allowed:
        raise PermissionDenied(reason)
    _sources, target = TRANSITIONS[transition]
    event = DossierEvent.objects.create(
        dossier=dossier, kind=transition, from_state=dossier.state, to_state=target, actor=role.user, comment=comment
    )
    dossier.state = target
    return event


def _locked(dossier: Dossier) -> Dossier:
    """Reload the dossier under a row lock: two people acting at once are serialised."""
    return (
        Dossier.objects.select_for_update(of=("self",))  # the contract or région joins are outer ones
        .select_related("campaign", "contract__authority", "contract__contract_type", "region")
        .get(pk=dossier.pk)
    )


@transaction.atomic
def dossier_submit(*, dossier: Dossier, role) -> DossierSnapshot:
    dossier = _locked(dossier)
    allowed, reason = perms.can_transition(role, dossier, Transition.SUBMIT)
    if not allowed:
        raise PermissionDenied(reason)
    problems = dossier_problems(dossier)
    if problems:
        raise ValidationError([p.message for p in problems])
    _transition(dossier, Transition.SUBMIT, role=role)
    dossier.submitted_at = timezone.now()
    dossier.submitted_by = role.user
    dossier.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
    snapshot = DossierSnapshot.objects.create(dossier=dossier, data=snapshot_data(dossier), created_by=role.user)
    quality_refresh(dossier)  # what the validator sees before validating: the submitted content's flags
    audit_event_record(actor=role, verb="dossier_submitted", target=dossier, message=f"Dossier {dossier} soumis.")
    # The acknowledgement goes to the person who submitted and to the authority's agents.
    acknowledgement_send(snapshot, [role.user.email, *authority_recipients(dossier)])
    notify(
        dossier,
        template="transition",
        subject=f"dossier {dossier.label} soumis à validation",
        recipients=state_recipients(dossier),
        message=f"{role.user} a soumis le dossier {dossier.of_label} : il attend votre validation.",
    )
    return snapshot


@transaction.atomic
def dossier_validate(*, dossier: Dossier, role, comment: str = "") -> Dossier:
    dossier = _locked(dossier)
    _transition(dossier, Transition.VALIDATE, role=role, comment=comment.strip())
    dossier.validated_at = timezone.now()
    dossier.save(update_fields=["state", "validated_at", "updated_at"])
    audit_event_record(actor=role, verb="dossier_validated", target=dossier, message=f"Dossier {dossier} validé.")
    notify(
        dossier,
        template="transition",
        subject=f"dossier {dossier.label} validé",
        recipients=authority_recipients(dossier),
        comment=comment.strip(),
        actor=role.user,
        message=f"Le dossier {dossier.of_label} a été validé par {role.organisation}.",
    )
    dossier_validated.send(sender=Dossier, dossier=dossier)
    return dossier


@transaction.atomic
def dossier_return(*, dossier: Dossier, role, comment: str, action: Action | None = None, field: str = "") -> Dossier:
    """Send back with a comment, possibly pointing at one action (and one of its fields)."""
    if not comment.strip():
        raise ValidationError({"comment": "Expliquez à la collectivité ce qu’il faut corriger."})
    dossier = _locked(dossier)
    _check_target(dossier, action, field)
    _transition(dossier, Transition.RETURN, role=role, comment=comment.strip())
    dossier.save(update_fields=["state", "updated_at"])
    DossierComment.objects.create(dossier=dossier, author=role.user, text=comment.strip(), action=action, field=field)
    audit_event_record(
        actor=role, verb="dossier_returned", target=dossier, message=f"Dossier {dossier} renvoyé : {comment}"
    )
    notify(
        dossier,
        template="transition",
        subject=f"dossier {dossier.label} renvoyé pour correction",
        recipients=authority_recipients(dossier),
        comment=comment.strip(),
        actor=role.user,
        message=f"{role.organisation} vous renvoie le dossier {dossier.of_label} pour correction"
        + (f", à propos de l’action {action.reference} « {action.title} »." if action else "."),
    )
    return dossier


@transaction.atomic
def dossier_reopen(*, dossier: Dossier, role, reason: str) -> Dossier:
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez pourquoi le dossier est rouvert."})
    dossier = _locked(dossier)
    _transition(dossier, Transition.REOPEN, role=role, comment=reason.strip())
    dossier.save(update_fields=["state", "updated_at"])
    audit_event_record(
        actor=role, verb="dossier_reopened", target=dossier, message=f"Dossier {dossier} rouvert : {reason}"
    )
    dossier_reopened.send(sender=Dossier, dossier=dossier)
    notify(
        dossier,
        template="transition",
        subject=f"dossier {dossier.label} rouvert",
        recipients=authority_recipients(dossier) + state_recipients(dossier),
        comment=reason.strip(),
        actor=role.user,
        message=f"La DIPLP a rouvert le dossier {dossier.of_label} : il peut de nouveau être modifié.",
    )
    return dossier


@transaction.atomic
def dossier_extend(*, dossier: Dossier, role, until, reason: str) -> Dossier:
    allowed, refusal = perms.can_extend(role, dossier)
    if not allowed:
        raise PermissionDenied(refusal)
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de la prolongation."})
    dossier = _locked(dossier)
    if until <= dossier.closes_at():
        raise ValidationError(
            {
                "until": f"La prolongation doit dépasser la clôture actuelle ({timezone.localtime(dossier.closes_at()):%d/%m/%Y %H:%M})."
            }
        )
    DossierEvent.objects.create(
        dossier=dossier,
        kind=Transition.EXTEND,
        from_state=dossier.state,
        to_state=dossier.state,
        actor=role.user,
        comment=f"Prolongé jusqu’au {timezone.localtime(until):%d/%m/%Y %H:%M} : {reason.strip()}",
    )
    dossier.extended_until = until
    dossier.save(update_fields=["extended_until", "updated_at"])
    audit_event_record(
        actor=role, verb="dossier_extended", target=dossier, message=f"Dossier {dossier} prolongé : {reason}"
    )
    notify(
        dossier,
        template="transition",
        subject=f"dossier {dossier.label} prolongé",
        recipients=authority_recipients(dossier),
        comment=reason.strip(),
        actor=role.user,
        message=f"La saisie du dossier {dossier.of_label} est prolongée jusqu’au "
        f"{timezone.localtime(until):%d/%m/%Y à %H:%M}.",
    )
    return dossier


@transaction.atomic
def comment_add(*, dossier: Dossier, role, text: str, action: Action | None = None, field: str = "") -> DossierComment:
    """A message on the dossier, possibly about one action, possibly about one of its fields."""
    allowed, reason = perms.can_comment(role, dossier)
    if not allowed:
        raise PermissionDenied(reason)
    if not text.strip():
        raise ValidationError({"text": "Le message est vide."})
    _check_target(dossier, action, field)
    comment = DossierComment.objects.create(
        dossier=dossier, author=role.user, text=text.strip(), action=action, field=field
    )
    audit_event_record(
        actor=role,
        verb="dossier_commented",
        target=dossier,
        message=f"Message sur le dossier {dossier}" + (f" (action {action.reference})" if action else "") + ".",
        data={"comment_id": comment.pk},
    )
    recipients = state_recipients(dossier) if perms.is_authority_side(role, dossier) else authority_recipients(dossier)
    notify(
        dossier,
        template="comment",
        subject=f"nouveau message sur le dossier {dossier.label}",
        recipients=recipients,
        comment=comment,
        actor=role.user,
    )
    return comment


# --- Reminders ----------------------------------------------------------------------------------


def reminder_preview(dossier: Dossier, now=None) -> dict:
    now = now or timezone.now()
    closes_at = dossier.closes_at()
    days_left = max((closes_at - now).days, 0) if closes_at > now else None
    body = render_to_string(
        "campaigns/email/reminder.txt",
        {
            "dossier": dossier,
            "url": dossier_url(dossier),
            "closes_at": timezone.localtime(closes_at),
            "days_left": days_left,
        },
    )
    return {
        "subject": f"Pilot'actions — relance : dossier {dossier.label} à soumettre",
        "body": body,
        "recipients": authority_recipients(dossier),
        "days_left": days_left,
    }


def _send_reminder(dossier: Dossier, *, days_before=None, sent_by=None, now=None) -> Reminder | None:
    preview = reminder_preview(dossier, now)
    if not preview["recipients"]:
        return None
    reminder = Reminder.objects.create(
        dossier=dossier,
        days_before=days_before,
        sent_by=sent_by,
        recipients=preview["recipients"],
        sent_at=now or timezone.now(),
    )
    email_send_on_commit(subject=preview["subject"], body=preview["body"], recipients=preview["recipients"])
    return reminder


def reminders_due(now=None):
    """(dossier, days_before) of every automatic reminder due and not yet sent."""
    now = now or timezone.now()
    due = []
    for campaign in Campaign.objects.filter(opens_at__lte=now, closes_at__gt=now - timedelta(days=60)).prefetch_related(
        None
    ):
        steps = sorted({d for d in campaign.reminder_days if isinstance(d, int) and d > 0}, reverse=True)
        if not steps:
            continue
        dossiers = (
            campaign.dossiers.filter(state__in=EDITABLE_STATES)
            .select_related("campaign", "contract__authority", "region")
            .prefetch_related("reminders")
        )
        for dossier in dossiers:
            closes_at = dossier.closes_at()
            if now > closes_at:
                continue
            sent = {r.days_before for r in dossier.reminders.all()}
            # Only the closest step that has come: a late run never sends a burst of stale reminders.
            reached = [d for d in steps if now >= closes_at - timedelta(days=d)]
            if reached and reached[-1] not in sent:
                due.append((dossier, reached[-1]))
    return due


def reminders_send(now=None) -> int:
    """Send the automatic reminders due (idempotent: a step is never sent twice to a dossier)."""
    count = 0
    for dossier, days_before in reminders_due(now):
        with transaction.atomic():
            if Reminder.objects.filter(dossier=dossier, days_before=days_before).exists():
                continue
            if _send_reminder(dossier, days_before=days_before, now=now):
                count += 1
    return count


# A person reminded by hand is not reminded again before a day has passed (nor by a double click).
MANUAL_REMINDER_INTERVAL = timedelta(days=1)


@transaction.atomic
def reminder_send_manual(*, dossier: Dossier, role) -> Reminder | None:
    allowed, reason = perms.can_remind(role, dossier)
    if not allowed:
        raise PermissionDenied(reason)
    dossier = _locked(dossier)  # two clicks at once send one reminder
    if dossier.state not in EDITABLE_STATES:
        raise ValidationError("Ce dossier est déjà soumis : il n’y a rien à relancer.")
    last = dossier.reminders.filter(sent_at__gt=timezone.now() - MANUAL_REMINDER_INTERVAL).first()
    if last is not None:
        raise ValidationError(
            f"Une relance est déjà partie le {timezone.localtime(last.sent_at):%d/%m/%Y à %H:%M} : "
            f"la suivante pourra partir {MANUAL_REMINDER_INTERVAL.days * 24} heures après."
        )
    reminder = _send_reminder(dossier, sent_by=role.user)
    if reminder:
        audit_event_record(
            actor=role, verb="dossier_reminded", target=dossier, message=f"Relance envoyée pour {dossier}."
        )
    return reminder


# --- Execution (suivi campaigns) ---------------------------------------------------------------

EXECUTION_FIELDS = [
    "progress_status",
    "deployment_satisfactory",
    "spent_state",
    "spent_authority",
    "spent_third_party",
    "beneficiaries_reached",
    "assessment",
    "difficulties",
]


def execution_token(action_year: ActionYear | None) -> str:
    """A fingerprint of the execution fields, to refuse a save over someone else's (optimistic lock).

    No record yet fingerprints as a blank one: the record `execution_update` creates on first save.
    """
    action_year = action_year or ActionYear()
    values = [str(getattr(action_year, f"{f}_id" if f == "progress_status" else f)) for f in EXECUTION_FIELDS]
    return hashlib.sha256("|".join(values).encode()).hexdigest()[:16]


@transaction.atomic
def execution_update(*, dossier: Dossier, action: Action, role, values: dict, indicator_values: dict, token: str):
    """Save an action's execution fields for the campaign's year (suivi dossiers only)."""
    dossier = _locked(dossier)  # a submission at the same moment waits, then this save sees it
    allowed, reason = perms.can_edit_execution(role, dossier)
    if not allowed:
        raise PermissionDenied(reason)
    if dossier.campaign.kind != CampaignKind.SUIVI or action.contract_id != dossier.contract_id:
        raise PermissionDenied("Cette action ne relève pas de ce dossier de suivi.")
    action_year, _ = ActionYear.objects.select_for_update().get_or_create(action=action, year=dossier.campaign.year)
    if token != execution_token(action_year):
        raise ConcurrentEditError([])
    report = RuleReport()
    for name in ("spent_state", "spent_authority", "spent_third_party"):
        check_amount(values.get(name), name, "Dépense réalisée", report)
    if report.errors:
        raise ValidationError(report.errors)
    for name in EXECUTION_FIELDS:
        if name in values:
            setattr(action_year, name, values[name])
    action_year.full_clean()
    action_year.save()
    for indicator, value in indicator_values.items():
        if value is None:
            IndicatorValue.objects.filter(indicator=indicator, year=dossier.campaign.year).delete()
        else:
            IndicatorValue.objects.update_or_create(
                indicator=indicator, year=dossier.campaign.year, defaults={"value": value}
            )
    audit_event_record(
        actor=role,
        verb="execution_updated",
        target=action,
        message=f"Suivi {dossier.campaign.year} de {action.reference} renseigné.",
    )
    data_changed.send(sender=ActionYear, authority_ids={action.contract.authority_id})
    return action_year


# --- Data quality -------------------------------------------------------------------------------


@transaction.atomic
def quality_refresh(dossier: Dossier) -> list[QualityFlag]:
    """Replace the dossier's flags with what the rules find now (campaigns.quality).

    A finding already flagged keeps its flag, and its check when its message is the same (a checked flag whose
    figures changed opens again); a flag the rules no longer find is deleted (its history keeps it). The
    dossier's score is recomputed. No permission: it only reads the dossier and writes what the rules say."""
    found = {(f.action_id, f.code, f.field): f for f in quality.findings(dossier)}
    existing = {(f.action_id, f.code, f.field): f for f in dossier.quality_flags.all()}
    for key, flag in existing.items():
        if key not in found:
            flag.delete()
    now = timezone.now()
    for key, finding in found.items():
        flag = existing.get(key)
        if flag is None:
            QualityFlag.objects.create(
                dossier=dossier,
                action_id=finding.action_id,
                code=finding.code,
                severity=finding.severity,
                field=finding.field,
                message=finding.message,
                found_at=now,
            )
        elif flag.message != finding.message or flag.severity != finding.severity:
            flag.message, flag.severity, flag.found_at = finding.message, finding.severity, now
            flag.checked_at, flag.checked_by, flag.check_comment = None, None, ""
            flag.save()
    _quality_score_save(dossier)
    return list(dossier.quality_flags.all())


def _quality_score_save(dossier: Dossier) -> None:
    actions = Action.objects.filter(contract_id=dossier.contract_id, status=ActionStatus.ACTIVE).count()
    flagged = set(
        dossier.quality_flags.filter(checked_at__isnull=True, severity__in=[quality.ERROR, quality.WARNING])
        .values_list("action_id", flat=True)
        .distinct()
    )
    dossier.quality_score = quality.score(flagged, actions)
    dossier.save(update_fields=["quality_score"])


@transaction.atomic
def quality_flag_check(*, flag: QualityFlag, role, comment: str) -> QualityFlag:
    """Mark a flag as checked with the reason (the authority's agents and the State service of the dossier)."""
    allowed, reason = perms.can_comment(role, flag.dossier)
    if not allowed:
        raise PermissionDenied(reason)
    if not comment.strip():
        raise ValidationError({"comment": "Dites ce que vous avez vérifié : le commentaire est obligatoire."})
    flag = QualityFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.checked_at is not None:
        raise ValidationError(f"Ce point a déjà été vérifié par {flag.checked_by} le {flag.checked_at:%d/%m/%Y}.")
    flag.checked_at, flag.checked_by, flag.check_comment = timezone.now(), role.user, comment.strip()
    flag._change_reason = "Point de vigilance vérifié"
    flag.save()
    audit_event_record(
        actor=role,
        verb="quality_flag_checked",
        target=flag.dossier,
        message=f"Point de vigilance « {quality.RULES[flag.code].label} » de l’action {flag.action.reference} vérifié.",
        data={"flag_id": flag.pk, "comment": flag.check_comment},
    )
    _quality_score_save(flag.dossier)
    return flag
