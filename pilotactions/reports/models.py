from django.conf import settings
from django.db import models


class ReportJob(models.Model):
    """A report generated in the background for someone, downloadable by those allowed to read its scope."""

    class Status(models.TextChoices):
        QUEUED = "queued", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Prêt"
        FAILED = "failed", "Échec"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    scope = models.JSONField("périmètre")
    format = models.CharField("format", max_length=8)
    title = models.CharField("titre", max_length=255, blank=True)
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    file_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField("taille (octets)", null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "rapport généré"
        verbose_name_plural = "rapports générés"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title or f"Rapport {self.pk}"


class AuthorityAggregate(models.Model):
    """One authority's bilan aggregates for a year (see reports/cube.py); recomputed when stale."""

    year = models.PositiveSmallIntegerField()
    family = models.CharField(max_length=16)
    authority = models.ForeignKey("territories.Authority", on_delete=models.CASCADE, related_name="+")
    data = models.JSONField()
    stale = models.BooleanField(default=False)
    # Bumped by every write marking it stale: a computation that saw another generation stays stale.
    generation = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "agrégat du bilan"
        verbose_name_plural = "agrégats du bilan"
        constraints = [
            models.UniqueConstraint(fields=["year", "family", "authority"], name="authority_aggregate_unique")
        ]

    def __str__(self):
        return f"{self.authority_id} {self.year}"


class AuthorityBudgetBucket(models.Model):
    """One slice of an authority's action budgets (see reports/cube.py): how many actions of a contract type
    have a yearly budget in this range, and their exact amounts in cents, read only for the slice holding
    the median."""

    aggregate = models.ForeignKey(AuthorityAggregate, on_delete=models.CASCADE, related_name="budget_buckets")
    contract_type = models.CharField(max_length=16)
    bucket = models.PositiveSmallIntegerField()
    actions = models.PositiveIntegerField()
    amounts = models.JSONField()  # [[cents, actions], …]

    class Meta:
        verbose_name = "tranche de budgets d’actions"
        verbose_name_plural = "tranches de budgets d’actions"
        constraints = [
            models.UniqueConstraint(
                fields=["aggregate", "contract_type", "bucket"], name="authority_budget_bucket_unique"
            )
        ]

    def __str__(self):
        return f"{self.aggregate_id} {self.contract_type} {self.bucket}"


class ReportText(models.Model):
    """A text the DIPLP writes for the national report of a year (its conclusion), printed as written.

    Its history is the audit trail (`report_text_updated` events hold each version)."""

    class Kind(models.TextChoices):
        CONCLUSION = "conclusion", "Conclusion"

    year = models.PositiveSmallIntegerField("année du rapport")
    kind = models.CharField("texte", max_length=16, choices=Kind.choices)
    text = models.TextField("texte", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "texte du rapport"
        verbose_name_plural = "textes du rapport"
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="report_text_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} du rapport {self.year}"


class RegionPactTally(models.Model):
    """One région's chapter III tally for a year (reports/pact_tally.py), kept with the fingerprint of the data
    it was built from: rebuilt when the fingerprint no longer matches."""

    year = models.PositiveSmallIntegerField()
    region_code = models.CharField(max_length=3)
    fingerprint = models.CharField(max_length=64)
    data = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "region_code"], name="region_pact_tally_unique")]

    def __str__(self):
        return f"Pactes locaux {self.year}, région {self.region_code}"


class EvaluationTotal(models.Model):
    """Planned against actual of an authority's validated dossiers of a follow-up campaign, per contract type, axis
    and sub-theme (reports.evaluation.totals_refresh).

    Rewritten from the dossiers' snapshots each time one of the authority's dossiers of the campaign is validated
    or reopened, so that the national evaluation sums a few rows per authority instead of reading every snapshot."""

    MONEY = {"max_digits": 16, "decimal_places": 2, "default": 0}

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    authority_code = models.CharField(max_length=16)
    contract_type = models.CharField(max_length=16)
    region = models.CharField(max_length=3)
    departement = models.CharField(max_length=3)
    axis = models.CharField(max_length=64)
    subtheme = models.CharField(max_length=64)
    actions = models.PositiveIntegerField(default=0)
    reported = models.PositiveIntegerField(default=0)
    planned_state = models.DecimalField(**MONEY)
    planned_authority = models.DecimalField(**MONEY)
    planned_third_party = models.DecimalField(**MONEY)
    planned_reported_state = models.DecimalField(**MONEY)
    planned_reported_authority = models.DecimalField(**MONEY)
    planned_reported_third_party = models.DecimalField(**MONEY)
    spent_state = models.DecimalField(**MONEY)
    spent_authority = models.DecimalField(**MONEY)
    spent_third_party = models.DecimalField(**MONEY)
    target = models.PositiveBigIntegerField(default=0)
    reached = models.PositiveBigIntegerField(default=0)
    with_reach = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    # Actions per progress state (evaluation.PROGRESS_COLUMNS: code → column), summed by the database.
    not_started = models.PositiveIntegerField(default=0)
    just_launched = models.PositiveIntegerField(default=0)
    ongoing = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    progress_unknown = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "total d’évaluation"
        verbose_name_plural = "totaux d’évaluation"
        indexes = [models.Index(fields=["campaign", "authority_code"])]

    def __str__(self):
        return f"{self.authority_code} {self.contract_type} {self.axis} {self.subtheme}"
