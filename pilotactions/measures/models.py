"""The 25 national measures of the Pacte des solidarités, their objectives, values and statuses, the
budget by programme and the follow-up committee sessions.

Statuses are options of the `statuts_mesures_nationales` list (a national admin can add some);
axes and programmes are options of `axes_pacte` and `programmes_budgetaires`. Every table keeps its
history (django-simple-history): who changed which field, from what to what, and when.
"""

from datetime import datetime, time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from pilotactions.core.history import HistoricalRecords
from pilotactions.core.models import BaseModel

from . import periods
from .enums import AXIS_LIST, PROGRAMME_LIST, STATUS_LIST, CommitteeState, RateNote, StatusChangeState


def _check_option(instance, field: str, list_code: str, errors: dict) -> None:
    option = getattr(instance, field)
    if option is not None and option.option_list.code != list_code:
        errors[field] = f"« {option} » n’appartient pas à la liste attendue."


class MeasureQuerySet(models.QuerySet):
    def piloted_by(self, organisation):
        return self.filter(pilots=organisation)


class Measure(BaseModel):
    number = models.PositiveSmallIntegerField("numéro", unique=True)
    axis = models.ForeignKey(
        "nomenclatures.Option",
        verbose_name="axe",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"option_list__code": AXIS_LIST},
    )
    title = models.CharField("intitulé", max_length=255)
    pilots = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name="administrations pilotes",
        related_name="piloted_measures",
        limit_choices_to={"kind": "central_admin"},
    )
    programmes = models.ManyToManyField(
        "nomenclatures.Option",
        verbose_name="programmes budgétaires",
        related_name="+",
        blank=True,
        limit_choices_to={"option_list__code": PROGRAMME_LIST},
    )
    description = models.TextField("description", blank=True)
    status = models.ForeignKey(
        "nomenclatures.Option",
        verbose_name="statut",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"option_list__code": STATUS_LIST},
        help_text="Statut validé par la délégation interministérielle.",
    )
    history = HistoricalRecords(m2m_fields=["pilots", "programmes"])

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = "mesure nationale"
        verbose_name_plural = "mesures nationales"
        ordering = ["number"]

    def __str__(self):
        return f"Mesure {self.number} — {self.title}"

    def clean(self):
        errors = {}
        _check_option(self, "axis", AXIS_LIST, errors)
        _check_option(self, "status", STATUS_LIST, errors)
        if errors:
            raise ValidationError(errors)


class Objective(BaseModel):
    """A 2027 objective of a measure, worded as the dashboard prints it; numeric when it has a target."""

    measure = models.ForeignKey(Measure, verbose_name="mesure", on_delete=models.CASCADE, related_name="objectives")
    order = models.PositiveSmallIntegerField("ordre")
    wording = models.TextField("objectif 2027")
    target = models.DecimalField(
        "cible chiffrée",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Laisser vide pour un objectif qualitatif : son taux de réalisation est alors déclaré.",
    )
    unit = models.CharField("unité", max_length=120, blank=True)
    target_year = models.PositiveSmallIntegerField(
        "année de la cible", default=2027, validators=[MinValueValidator(2023), MaxValueValidator(2040)]
    )
    baseline = models.DecimalField("valeur de départ", max_digits=16, decimal_places=2, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(
        "année de la valeur de départ", null=True, blank=True, validators=[MinValueValidator(2000)]
    )
    baseline_note = models.CharField("source de la valeur de départ", max_length=255, blank=True)
    status = models.ForeignKey(
        "nomenclatures.Option",
        verbose_name="statut propre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"option_list__code": STATUS_LIST},
        help_text="Seulement quand l’objectif a un statut distinct de celui de la mesure.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "objectif"
        verbose_name_plural = "objectifs"
        ordering = ["measure__number", "order"]
        constraints = [models.UniqueConstraint(fields=["measure", "order"], name="objective_unique_order")]

    def __str__(self):
        return f"{self.measure.number}.{self.order} — {self.wording[:80]}"

    @property
    def key(self) -> str:
        return f"{self.measure.number}.{self.order}"

    @property
    def is_numeric(self) -> bool:
        return self.target is not None and self.target > 0

    def clean(self):
        errors = {}
        _check_option(self, "status", STATUS_LIST, errors)
        if (self.baseline is None) != (self.baseline_year is None):
            errors["baseline_year"] = "Une valeur de départ va avec son année (les deux, ou aucune)."
        if self.baseline_year and self.target_year and self.baseline_year > self.target_year:
            errors["baseline_year"] = "L’année de départ précède celle de la cible."
        if errors:
            raise ValidationError(errors)


class ObjectiveValueQuerySet(models.QuerySet):
    def counted(self):
        """The values that count: a withdrawn value (a mistaken entry) is kept for the record only."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self):
        return self.filter(withdrawn_at__isnull=False)


class CountedValueManager(models.Manager.from_queryset(ObjectiveValueQuerySet)):
    """The default manager (and so `objective.values`): withdrawn values are left out of every read —
    dashboard, rates, trajectories, exports, committees. `ObjectiveValue.all_objects` sees them too."""

    def get_queryset(self):
        return super().get_queryset().counted()


class ObjectiveValue(BaseModel):
    """An objective's value for a period (year or half-year), or what the rate column says instead.

    A mistaken value is withdrawn (by its author or the delegation, with a reason), never deleted: it
    stays in the history, no longer counts, and the period can be entered again."""

    objective = models.ForeignKey(Objective, verbose_name="objectif", on_delete=models.CASCADE, related_name="values")
    period = models.CharField(
        "période", max_length=7, validators=[periods.validate_period], help_text=periods.PERIOD_HELP
    )
    value = models.DecimalField("valeur", max_digits=16, decimal_places=2, null=True, blank=True)
    declared_rate = models.DecimalField(
        "taux de réalisation déclaré (%)",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text="Pour un objectif sans cible chiffrée : le taux estimé par l’administration pilote.",
    )
    rate_note = models.CharField(
        "mention à la place d’un taux",
        max_length=16,
        choices=RateNote.choices,
        blank=True,
        help_text="Par exemple « Données non disponibles » : ni valeur ni taux.",
    )
    source = models.CharField("source", max_length=255, blank=True)
    comment = models.TextField("commentaire", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="retirée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawal_reason = models.TextField("motif du retrait", blank=True)
    history = HistoricalRecords()

    objects = CountedValueManager()
    all_objects = ObjectiveValueQuerySet.as_manager()

    class Meta:
        verbose_name = "valeur d’un objectif"
        verbose_name_plural = "valeurs des objectifs"
        ordering = ["objective", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "period"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="objective_value_unique_period",
            )
        ]

    def __str__(self):
        return f"{self.objective.key} — {periods.label(self.period)}"

    def clean(self):
        if self.period:
            try:
                self.period = periods.normalise(self.period)
            except ValidationError as error:
                raise ValidationError({"period": error.messages}) from None
        if self.rate_note and (self.value is not None or self.declared_rate is not None):
            raise ValidationError(
                {"rate_note": "Une mention remplace la valeur et le taux : ne renseignez pas les deux."}
            )
        if not self.rate_note and self.value is None and self.declared_rate is None:
            raise ValidationError(
                "Renseignez une valeur, un taux déclaré ou une mention (par exemple « Non démarré »)."
            )
        if self.withdrawn_at is not None and not self.withdrawal_reason.strip():
            raise ValidationError({"withdrawal_reason": "Indiquez pourquoi cette valeur est retirée."})

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class StatusChange(models.Model):
    """A status proposed or set for a measure (objective empty) or one of its objectives."""

    measure = models.ForeignKey(Measure, verbose_name="mesure", on_delete=models.CASCADE, related_name="status_changes")
    objective = models.ForeignKey(
        Objective,
        verbose_name="objectif",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    status = models.ForeignKey(
        "nomenclatures.Option",
        verbose_name="statut",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"option_list__code": STATUS_LIST},
    )
    state = models.CharField(
        "état", max_length=16, choices=StatusChangeState.choices, default=StatusChangeState.PROPOSED
    )
    comment = models.TextField("justification", blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_by_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField("proposé le", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decision_comment = models.TextField("commentaire de la décision", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "changements de statut"
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["state"])]

    def __str__(self):
        target = f"objectif {self.objective.key}" if self.objective_id else f"mesure {self.measure.number}"
        return f"{self.status} ({target}, {self.get_state_display().lower()})"

    def clean(self):
        errors = {}
        _check_option(self, "status", STATUS_LIST, errors)
        if self.objective_id and self.objective.measure_id != self.measure_id:
            errors["objective"] = "Cet objectif n’appartient pas à la mesure."
        if errors:
            raise ValidationError(errors)


class ProgrammeBudget(BaseModel):
    """The Pacte's credits on one budget programme (or LFSS vector) for one year, in euros."""

    programme = models.ForeignKey(
        "nomenclatures.Option",
        verbose_name="programme",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"option_list__code": PROGRAMME_LIST},
    )
    year = models.PositiveSmallIntegerField("année", validators=[MinValueValidator(2023), MaxValueValidator(2040)])
    amount = models.DecimalField(
        "montant (€)", max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField("note", max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "crédits d’un programme"
        verbose_name_plural = "crédits par programme"
        ordering = ["programme__order", "year"]
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="programme_budget_unique_year")]

    def __str__(self):
        return f"{self.programme} — {self.year}"

    def clean(self):
        errors = {}
        _check_option(self, "programme", PROGRAMME_LIST, errors)
        if errors:
            raise ValidationError(errors)


class Committee(BaseModel):
    """A session of the inter-administration follow-up committee (twice a year)."""

    title = models.CharField(
        "intitulé", max_length=200, default="Comité de suivi inter-administratif du Pacte des solidarités"
    )
    date = models.DateField("date de la séance")
    period = models.CharField(
        "période examinée", max_length=7, validators=[periods.validate_period], help_text=periods.PERIOD_HELP
    )
    deadline = models.DateTimeField(
        "date limite des mises à jour",
        null=True,
        blank=True,
        help_text="Heure de Paris. Les administrations pilotes mettent à jour leurs mesures avant cette date.",
    )
    reminder_days = models.JSONField(
        "relances automatiques (jours avant la date limite)",
        default=list,
        blank=True,
        help_text="Par exemple [7, 2] : une relance 7 jours puis 2 jours avant la date limite.",
    )
    state = models.CharField("état", max_length=16, choices=CommitteeState.choices, default=CommitteeState.DRAFT)
    minutes = models.TextField("compte rendu", blank=True)
    opened_at = models.DateTimeField("ouvert le", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    frozen_dashboard = models.JSONField("tableau de bord gelé", null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["frozen_dashboard"])

    class Meta:
        verbose_name = "comité de suivi"
        verbose_name_plural = "comités de suivi"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.title} du {self.date:%d/%m/%Y}"

    def clean(self):
        errors = {}
        if self.period:
            try:
                self.period = periods.normalise(self.period)
            except ValidationError as error:
                errors["period"] = error.messages
        if self.deadline and self.date:
            session_end = timezone.make_aware(datetime.combine(self.date, time.max))
            if self.deadline > session_end:
                errors["deadline"] = "La date limite des mises à jour précède la séance."
        if any(not isinstance(d, int) or isinstance(d, bool) or d <= 0 for d in self.reminder_days or []):
            errors["reminder_days"] = "Les relances s’expriment en nombres entiers de jours, supérieurs à 0."
        if errors:
            raise ValidationError(errors)

    @property
    def is_closed(self) -> bool:
        return self.state == CommitteeState.CLOSED


class UpdateRequest(models.Model):
    """What a committee asks of one piloting administration: update its measures before the deadline."""

    committee = models.ForeignKey(Committee, verbose_name="comité", on_delete=models.CASCADE, related_name="requests")
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="administration pilote", on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField("demandée le", default=timezone.now)
    recipients = models.JSONField("destinataires", default=list, blank=True)
    completed_at = models.DateTimeField("mise à jour transmise le", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField("message à la délégation", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "demande de mise à jour"
        verbose_name_plural = "demandes de mise à jour"
        ordering = ["committee", "organisation__acronym"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "organisation"], name="update_request_unique_organisation")
        ]

    def __str__(self):
        return f"{self.organisation.acronym or self.organisation} — {self.committee}"

    def is_late(self, now=None) -> bool:
        """Not transmitted and past the deadline, or transmitted after it."""
        deadline = self.committee.deadline
        if deadline is None:
            return False
        if self.completed_at is not None:
            return self.completed_at > deadline
        return (now or timezone.now()) > deadline


class CommitteeReminder(models.Model):
    """A reminder sent for an update request: one per step (`days_before`), never twice."""

    request = models.ForeignKey(UpdateRequest, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list)

    class Meta:
        verbose_name = "relance d’une administration pilote"
        verbose_name_plural = "relances des administrations pilotes"
        ordering = ["request", "-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "days_before"],
                condition=models.Q(days_before__isnull=False),
                name="committee_reminder_once_per_step",
            )
        ]

    def __str__(self):
        return f"Relance du {self.sent_at:%d/%m/%Y}"


class Indicator(BaseModel):
    """A quantitative indicator of a measure (number of FIPE projects, children who left with the pass colo…):
    no 2027 target and no rate, a value per year or half-year, each entered by the measure's pilots and
    validated by the delegation before the bilan prints it (docs/measures.md, « Indicateurs »)."""

    measure = models.ForeignKey(Measure, verbose_name="mesure", on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField("ordre")
    code = models.CharField(
        "code",
        max_length=60,
        unique=True,
        help_text="Identifiant stable (celui du chiffre publié, « I.fipe.projets »).",
    )
    label = models.CharField("intitulé", max_length=255)
    unit = models.CharField("unité", max_length=60, help_text="Par exemple « projets », « enfants », « % », « M€ ».")
    administration = models.CharField("administration productrice", max_length=120)
    system = models.CharField("système ou document source", max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["measure__number", "order"]
        constraints = [models.UniqueConstraint(fields=["measure", "order"], name="indicator_unique_order")]

    def __str__(self):
        return f"{self.measure.number} — {self.label}"


class IndicatorValueState(models.TextChoices):
    PROPOSED = "proposed", "À valider"
    VALIDATED = "validated", "Validée"


class IndicatorValueQuerySet(models.QuerySet):
    def counted(self):
        return self.filter(withdrawn_at__isnull=True)

    def validated(self):
        return self.counted().filter(state=IndicatorValueState.VALIDATED)


class CountedIndicatorValueManager(models.Manager.from_queryset(IndicatorValueQuerySet)):
    """As for objective values: a withdrawn value is left out of every read; `all_objects` sees it."""

    def get_queryset(self):
        return super().get_queryset().counted()


class IndicatorValue(BaseModel):
    """An indicator's value for a period, with the date of the data; entered by a pilot (« À valider ») or
    the delegation, validated by the delegation; withdrawn (never deleted) when mistaken."""

    indicator = models.ForeignKey(Indicator, verbose_name="indicateur", on_delete=models.CASCADE, related_name="values")
    period = models.CharField(
        "période", max_length=7, validators=[periods.validate_period], help_text=periods.PERIOD_HELP
    )
    value = models.DecimalField("valeur", max_digits=16, decimal_places=2)
    data_date = models.DateField(
        "date des données", null=True, blank=True, help_text="Date d’extraction ou d’arrêt des données."
    )
    comment = models.TextField("commentaire", blank=True)
    state = models.CharField(
        "état", max_length=16, choices=IndicatorValueState.choices, default=IndicatorValueState.PROPOSED
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="validée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="retirée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawal_reason = models.TextField("motif du retrait", blank=True)
    history = HistoricalRecords()

    objects = CountedIndicatorValueManager()
    all_objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = "valeur d’un indicateur"
        verbose_name_plural = "valeurs des indicateurs"
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="indicator_value_unique_period",
            )
        ]

    def __str__(self):
        return f"{self.indicator.label} — {periods.label(self.period)}"

    def clean(self):
        if self.period:
            try:
                self.period = periods.normalise(self.period)
            except ValidationError as error:
                raise ValidationError({"period": error.messages}) from None
        if self.withdrawn_at is not None and not self.withdrawal_reason.strip():
            raise ValidationError({"withdrawal_reason": "Indiquez pourquoi cette valeur est retirée."})

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_validated(self) -> bool:
        return self.state == IndicatorValueState.VALIDATED
