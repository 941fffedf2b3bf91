"""The acknowledgement of a submission (accusé de réception): what was submitted, when, by whom, as a PDF.

It is read from the submission's frozen snapshot, so that it says what the State received, and carries the
snapshot's SHA-256 fingerprint: anyone holding the PDF can check it against the dossier's history.
"""

import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pilotactions.core.tasks import email_send_on_commit

from .enums import CampaignKind
from .models import DossierSnapshot

AMOUNTS = [
    ("budget_state", "Crédits de l’État prévus"),
    ("budget_authority", "Crédits de la collectivité prévus"),
    ("budget_third_party", "Crédits des financeurs tiers prévus"),
    ("budget_total", "Budget total prévu"),
]
SPENT = [
    ("spent_state", "Dépenses réalisées — État"),
    ("spent_authority", "Dépenses réalisées — collectivité"),
    ("spent_third_party", "Dépenses réalisées — financeurs tiers"),
]


def fingerprint(snapshot: DossierSnapshot) -> str:
    """SHA-256 of the snapshot's content in a canonical JSON form (sorted keys, no spaces)."""
    canonical = json.dumps(snapshot.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _total(rows, key, nested=None) -> Decimal | None:
    values = [(row.get(nested) or {}).get(key) if nested else row.get(key) for row in rows]
    values = [Decimal(str(v)) for v in values if v not in (None, "")]
    return sum(values, Decimal(0)) if values else None


def summary(snapshot: DossierSnapshot) -> dict:
    """The content in a few lines: actions counted, amounts summed for the campaign's year."""
    campaign = snapshot.data.get("campaign", {})
    if campaign.get("kind") == CampaignKind.ENQUETE:
        return survey_summary(snapshot.data.get("survey") or {}, campaign.get("year"))
    rows = snapshot.data.get("actions", [])
    lines = [(label, _total(rows, key)) for key, label in AMOUNTS]
    if campaign.get("kind") == CampaignKind.SUIVI:
        lines += [(label, _total(rows, key, nested="execution")) for key, label in SPENT]
    reached = _total(rows, "beneficiaries_reached", nested="execution")
    return {
        "actions": len(rows),
        "year": campaign.get("year"),
        "amounts": [(label, value) for label, value in lines if value is not None],
        "beneficiaries_reached": reached if campaign.get("kind") == CampaignKind.SUIVI else None,
    }


def survey_summary(data: dict, year) -> dict:
    """A survey's content in a few lines: pacts and actions counted, answers given."""
    pacts = [p for p in data.get("pacts", []) if isinstance(p, dict)]
    actions = [a for p in pacts for a in p.get("actions", []) if isinstance(a, dict)]

    def answered(item):
        answers = item.get("answers") or {}
        return sum(1 for value in answers.values() if value not in (None, "", []))

    return {
        "survey": True,
        "pacts": len(pacts),
        "actions": len(actions),
        "answers": sum(answered(item) for item in pacts + actions),
        "year": year,
        "amounts": [],
        "beneficiaries_reached": None,
    }


def acknowledgement_context(snapshot: DossierSnapshot) -> dict:
    dossier = snapshot.dossier
    return {
        "snapshot": snapshot,
        "dossier": dossier,
        "contract": dossier.contract,
        "campaign": dossier.campaign,
        "summary": summary(snapshot),
        "fingerprint": fingerprint(snapshot),
        "number": snapshot.pk,
        "url": settings.SITE_URL.rstrip("/") + reverse("campaigns:dossier", args=[dossier.pk]),
        "issued_at": timezone.now(),
    }


def acknowledgement_pdf(snapshot: DossierSnapshot) -> bytes:
    from weasyprint import HTML  # heavy: loaded only when a PDF is asked for

    html = render_to_string("campaigns/acknowledgement.html", acknowledgement_context(snapshot))
    return HTML(string=html).write_pdf()


def acknowledgement_filename(snapshot: DossierSnapshot) -> str:
    dossier = snapshot.dossier
    subject = f"enquete-{dossier.region.code}" if dossier.is_survey else dossier.contract.reference
    return f"accuse-reception-{subject}-{snapshot.pk}.pdf"


def acknowledgement_send(snapshot: DossierSnapshot, recipients: list[str]) -> None:
    """E-mail the acknowledgement once the submission commits: its summary, and the link to its PDF (which is
    served to signed-in people who may read the dossier, not attached to a mail that can be forwarded)."""
    context = acknowledgement_context(snapshot)
    context["pdf_url"] = settings.SITE_URL.rstrip("/") + acknowledgement_url(snapshot)
    email_send_on_commit(
        subject=f"Pilot'actions — accusé de réception du dossier {snapshot.dossier.label}",
        body=render_to_string("campaigns/email/acknowledgement.txt", context),
        recipients=recipients,
    )


def acknowledgement_url(snapshot: DossierSnapshot) -> str:
    return reverse("campaigns:acknowledgement", args=[snapshot.dossier_id, snapshot.pk])
