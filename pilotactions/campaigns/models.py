"""Data-entry campaigns, their dossiers (one per contract) and the validation circuit.

Everything about a campaign — its window, the fields it requires, its reminders — is data, set in
the application by national administrators, never in code or settings.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from pilotactions.accounts.perms import authority_scope_q
from pilotactions.core.models import BaseModel

from .enums import EDITABLE_STATES, CampaignKind, DossierState, Transition


class Campaign(BaseModel):
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=16, choices=CampaignKind.choices)
    year = models.PositiveSmallIntegerField("année concernée")
    contract_types = models.ManyToManyField("contracts.ContractType", verbose_name="types de contrat", related_name="+")
    opens_at = models.DateTimeField("ouverture")
    closes_at = models.DateTimeField("clôture")
    instructions = models.TextField("consignes", blank=True)
    required_fields = models.JSONField("champs exigés à la soumission", default=list, blank=True)
    reminder_days = models.JSONField(
        "relances automatiques (jours avant la clôture)",
        default=list,
        blank=True,
        help_text="Par exemple [7, 2] : une relance 7 jours puis 2 jours avant la clôture.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "campagne de saisie"
        verbose_name_plural = "campagnes de saisie"
        ordering = ["-opens_at"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": "La clôture doit suivre l’ouverture."})
        if any(not isinstance(d, int) or d <= 0 for d in self.reminder_days or []):
            raise ValidationError(
                {"reminder_days": "Les relances s’expriment en nombres entiers de jours, supérieurs à 0."}
            )

    def phase(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return "à venir"
        return "ouverte" if now <= self.closes_at else "close"


class DossierQuerySet(models.QuerySet):
    def visible_to(self, role):
        """The dossiers of the contracts the role may read, and the survey dossiers of its région.

        A région's survey dossier (kind `enquete`) is seen by the national roles and by the regional roles
        of that région only: departmental State services and authorities' agents never see one.
        """
        from pilotactions.accounts.enums import NATIONAL_ROLES, RoleKind

        contracts = Q(contract__isnull=False) & authority_scope_q(role, "contract__authority")
        if role is not None and role.kind in NATIONAL_ROLES:
            return self.all()
        if role is not None and role.kind == RoleKind.REGIONAL:
            return self.filter(contracts | Q(region_id=role.organisation.region_id))
        return self.filter(contracts)


class Dossier(BaseModel):
    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.CASCADE, related_name="dossiers")
    # A dossier is a contract's (programmation, suivi) or a région's (enquete: the commissioners'
    # survey on the région's local pacts); a constraint keeps exactly one of the two.
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name="contrat",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    region = models.ForeignKey(
        "territories.Region",
        verbose_name="région",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_dossiers",
        db_index=False,  # the unique (campaign, region) index serves every lookup; régions are never deleted
    )
    state = models.CharField("état", max_length=16, choices=DossierState.choices, default=DossierState.DRAFT)
    extended_until = models.DateTimeField("prolongé jusqu’au", null=True, blank=True)
    submitted_at = models.DateTimeField("soumis le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="soumis par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    quality_score = models.PositiveSmallIntegerField(
        "score de qualité",
        null=True,
        blank=True,
        help_text="Part des actions sans point de vigilance ouvert (erreur ou alerte), sur 100 (campaigns.quality).",
    )

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "dossier"
        verbose_name_plural = "dossiers"
        ordering = ["campaign", "contract__reference", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contract"], name="dossier_unique_per_campaign"),
            models.UniqueConstraint(fields=["campaign", "region"], name="dossier_unique_region_per_campaign"),
            models.CheckConstraint(
                condition=models.Q(contract__isnull=False, region__isnull=True)
                | models.Q(contract__isnull=True, region__isnull=False),
                name="dossier_contract_or_region",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "state"])]

    def __str__(self):
        return f"{self.campaign} — {self.label}"

    @property
    def is_survey(self) -> bool:
        """A région's dossier of an `enquete` campaign (the commissioners' survey), not a contract's."""
        return self.contract_id is None

    @property
    def label(self) -> str:
        """How lists and mails name the dossier: its contract's reference, or its région."""
        return self.region.name if self.is_survey else self.contract.reference

    @property
    def of_label(self) -> str:
        """« du contrat CLS-D-2024-059 », « de l’enquête d’Occitanie »: the dossier's complement in a sentence."""
        if self.is_survey:
            return f"de l’enquête {self.region.name_with_article}"
        return f"du contrat {self.contract.reference}"

    def closes_at(self):
        """The end of this dossier's window: the campaign's, or its extension."""
        return max(self.campaign.closes_at, self.extended_until) if self.extended_until else self.campaign.closes_at

    def window_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.campaign.opens_at <= now <= self.closes_at()

    def is_editable(self, now=None) -> bool:
        return self.state in EDITABLE_STATES and self.window_open(now)

    def is_overdue(self, now=None) -> bool:
        return self.state in EDITABLE_STATES and (now or timezone.now()) > self.closes_at()


class DossierEvent(models.Model):
    """The dossier's timeline: every transition and extension, who, when, why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("événement", max_length=16, choices=Transition.choices)
    from_state = models.CharField(max_length=16, choices=DossierState.choices)
    to_state = models.CharField(max_length=16, choices=DossierState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField("commentaire", blank=True)
    at = models.DateTimeField("date", default=timezone.now)

    class Meta:
        verbose_name = "événement du dossier"
        verbose_name_plural = "événements du dossier"
        ordering = ["dossier", "at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%d/%m/%Y}"


class DossierSnapshot(models.Model):
    """What was submitted, frozen: never modified nor deleted once written.

    A validated dossier's latest snapshot is what it was validated in: `bilan --campaign` reads those.
    """

    SCHEMA_VERSION = 1

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="snapshots")
    schema_version = models.PositiveSmallIntegerField(default=SCHEMA_VERSION)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "instantané soumis"
        verbose_name_plural = "instantanés soumis"
        ordering = ["dossier", "-created_at", "-id"]

    def __str__(self):
        return f"Instantané du {self.created_at:%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError("Un instantané soumis ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Un instantané soumis ne se supprime pas.")


class DossierComment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("message")
    action = models.ForeignKey(
        "contracts.Action",
        verbose_name="action concernée",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    field = models.CharField("champ concerné", max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "commentaire"
        verbose_name_plural = "commentaires"
        ordering = ["dossier", "created_at", "id"]

    def __str__(self):
        return self.text[:60]

    @property
    def field_label(self) -> str:
        from .diff import COMMENTABLE_LABELS  # diff reads snapshots: imported here, not at the top

        return COMMENTABLE_LABELS.get(self.field, self.field)


class Reminder(models.Model):
    """A reminder sent for a dossier: automatic ones (one per `days_before`, never twice) or by hand."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients = models.JSONField(default=list)

    class Meta:
        verbose_name = "relance"
        verbose_name_plural = "relances"
        ordering = ["dossier", "-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "days_before"],
                condition=models.Q(days_before__isnull=False),
                name="reminder_once_per_step",
            )
        ]

    def __str__(self):
        return f"Relance du {self.sent_at:%d/%m/%Y}"


class QualityFlag(models.Model):
    """A data-quality rule's finding on one action of a dossier (campaigns.quality), kept so that the cockpit counts
    it and an agent marks it as checked with a comment (kept in the history)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="quality_flags")
    action = models.ForeignKey("contracts.Action", verbose_name="action", on_delete=models.CASCADE, related_name="+")
    code = models.CharField("règle", max_length=32)
    severity = models.CharField("gravité", max_length=16)
    field = models.CharField("champ concerné", max_length=64, blank=True)
    message = models.TextField("constat")
    found_at = models.DateTimeField("relevé le", default=timezone.now)
    checked_at = models.DateTimeField("vérifié le", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vérifié par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    check_comment = models.TextField("commentaire de vérification", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "point de vigilance"
        verbose_name_plural = "points de vigilance"
        ordering = ["dossier", "action__number", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "action", "code", "field"], name="quality_flag_unique")
        ]
        indexes = [models.Index(fields=["dossier", "checked_at"])]

    def __str__(self):
        return f"{self.code} — {self.message[:60]}"

    @property
    def is_open(self) -> bool:
        return self.checked_at is None

    @property
    def rule_label(self) -> str:
        from .quality import RULES  # the rules read contracts' models: imported here, not at the top

        return RULES[self.code].label

    @property
    def severity_label(self) -> str:
        from .quality import SEVERITY_LABELS

        return SEVERITY_LABELS[self.severity]
