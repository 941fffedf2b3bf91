"""Contracts between the State and a local authority, and their actions (the harmonised form).

Every yearly amount lives in an action's `ActionYear` (one per action and year): its budget lines
(planned, and actual spending once reported) and its execution fields. `ActionYear` also keeps the
year's totals by financer, rolled up by the services on every save, so that exports and the bilan
read one row per action and year at any scale.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pilotactions.accounts.perms import authority_scope_q
from pilotactions.core.history import HistoricalRecords
from pilotactions.core.models import BaseModel
from pilotactions.nomenclatures.models import Option

from .enums import ActionStatus, CeilingMode, ContractStatus, DocumentKind, Financer, ImportPhase, ImportStatus

MONEY = {"max_digits": 14, "decimal_places": 2}
MAX_AMOUNT = Decimal("100000000.00")  # 100 M€: above any single line of any contract so far
AMOUNT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)]


def option_fk(label, list_code, **kwargs):
    return models.ForeignKey(
        Option,
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=f"Liste de valeurs par défaut : {list_code} (chaque type de contrat peut en désigner une autre).",
        **kwargs,
    )


class ContractType(models.Model):
    """A family of contracts and its rules — data, not code (`CLS-D`, `CLS-M`, `CIE`…)."""

    code = models.CharField("code", max_length=16, unique=True)
    label = models.CharField("libellé", max_length=200)
    family = models.CharField(
        "famille", max_length=16, help_text="Les figures du bilan regroupent les types d’une même famille (CLS)."
    )
    authority_level = models.CharField(
        "échelle des collectivités", max_length=16, blank=True, help_text="Vide : toute collectivité."
    )
    axes = models.ManyToManyField(Option, verbose_name="axes ouverts", related_name="+", blank=True)
    option_lists = models.JSONField(
        "listes de valeurs du formulaire",
        default=dict,
        help_text="Pour chaque champ à options du formulaire, le code de la liste de valeurs utilisée.",
    )
    state_share_ceiling = models.DecimalField(
        "plafond de la part de l’État (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    ceiling_mode = models.CharField(
        "dépassement du plafond", max_length=8, choices=CeilingMode.choices, default=CeilingMode.WARN
    )
    default_start_year = models.PositiveSmallIntegerField("première année par défaut", default=2024)
    default_end_year = models.PositiveSmallIntegerField("dernière année par défaut", default=2027)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "type de contrat"
        verbose_name_plural = "types de contrat"
        ordering = ["code"]

    def __str__(self):
        return f"{self.label} ({self.code})"

    def option_list_code(self, field_name: str) -> str | None:
        return self.option_lists.get(field_name)


class ContractQuerySet(models.QuerySet):
    def visible_to(self, role):
        """The contracts the role may read (accounts.perms.visible_authority_ids)."""
        return self.filter(authority_scope_q(role))


class Contract(BaseModel):
    reference = models.CharField("référence", max_length=40, unique=True)
    contract_type = models.ForeignKey(
        ContractType, verbose_name="type", on_delete=models.PROTECT, related_name="contracts"
    )
    authority = models.ForeignKey(
        "territories.Authority",
        verbose_name="collectivité co-contractante",
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    signing_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="service de l’État signataire",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signed_contracts",
    )
    start_year = models.PositiveSmallIntegerField("première année")
    end_year = models.PositiveSmallIntegerField("dernière année")
    status = models.CharField(
        "statut", max_length=16, choices=ContractStatus.choices, default=ContractStatus.PREPARATION
    )
    not_signed_reason = models.TextField("motif de non-signature", blank=True)
    signature_date = models.DateField("date de signature", null=True, blank=True)
    title = models.CharField("intitulé", max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat"
        verbose_name_plural = "contrats"
        ordering = ["reference"]
        indexes = [models.Index(fields=["authority", "contract_type"])]

    def __str__(self):
        return f"{self.reference} — {self.authority.short_name}"

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class StateEnvelope(models.Model):
    """The State's annual credits for a contract (enveloppe annuelle), changed by amendments."""

    contract = models.ForeignKey(Contract, verbose_name="contrat", on_delete=models.CASCADE, related_name="envelopes")
    year = models.PositiveSmallIntegerField("année")
    amount = models.DecimalField("montant", **MONEY, validators=AMOUNT_VALIDATORS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "enveloppe annuelle de l’État"
        verbose_name_plural = "enveloppes annuelles de l’État"
        ordering = ["contract", "year"]
        constraints = [models.UniqueConstraint(fields=["contract", "year"], name="envelope_unique_year")]

    def __str__(self):
        return f"{self.contract.reference} {self.year}"


class Amendment(BaseModel):
    contract = models.ForeignKey(Contract, verbose_name="contrat", on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField("numéro")
    date = models.DateField("date")
    subject = models.TextField("objet")
    new_envelopes = models.JSONField(
        "nouvelles enveloppes", default=dict, help_text="Année → montant de l’enveloppe après l’avenant."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "avenant"
        verbose_name_plural = "avenants"
        ordering = ["contract", "number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="amendment_unique_number")]

    def __str__(self):
        return f"Avenant n° {self.number} du {self.date:%d/%m/%Y}"


class ContractDocument(BaseModel):
    """A document stored outside the web root, served only to those who may read the contract."""

    contract = models.ForeignKey(Contract, verbose_name="contrat", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("type de document", max_length=20, choices=DocumentKind.choices)
    original_name = models.CharField("nom du fichier", max_length=255)
    storage_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documents"
        ordering = ["contract", "-created_at"]

    def __str__(self):
        return self.original_name


class BaseActionImport(BaseModel):
    """A file of actions uploaded on a page « Importer des actions »: its dry run, then its import. The fields and
    the lifecycle (contracts/imports.py) are shared by the imports into a contract (`ActionImport`) and into a
    local pact (`pacts.PactActionImport`); each adds its owner and the document the file is kept as."""

    role = models.ForeignKey("accounts.Role", null=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    original_name = models.CharField("nom du fichier", max_length=255)
    storage_name = models.CharField(max_length=255, unique=True)
    size = models.PositiveIntegerField("taille (octets)")
    year = models.PositiveSmallIntegerField("année des crédits et de l’état d’avancement")
    phase = models.CharField("étape", max_length=16, choices=ImportPhase.choices, default=ImportPhase.DRY_RUN)
    status = models.CharField("état", max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows = models.PositiveIntegerField("lignes d’actions", null=True, blank=True)
    error = models.TextField("erreur", blank=True)
    check_result = models.JSONField("résultat de la vérification", null=True, blank=True)
    import_result = models.JSONField("résultat de l’import", null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def pending(self) -> bool:
        return self.status in {ImportStatus.QUEUED, ImportStatus.RUNNING}


class ActionImport(BaseActionImport):
    """A file of actions uploaded on a contract's page: its dry run, then its import (contracts/imports.py).

    The file is stored outside the web root until the import is done; then it is kept as a document of the
    contract (`document`) when the import wrote something."""

    contract = models.ForeignKey(Contract, verbose_name="contrat", on_delete=models.CASCADE, related_name="imports")
    document = models.ForeignKey(ContractDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "import d’actions"
        verbose_name_plural = "imports d’actions"
        ordering = ["contract", "-created_at"]

    def __str__(self):
        return f"Import « {self.original_name} » ({self.contract_id})"


class ActionQuerySet(models.QuerySet):
    def visible_to(self, role):
        """The actions of the contracts the role may read."""
        return self.filter(authority_scope_q(role, "contract__authority"))

    def active(self):
        return self.filter(status=ActionStatus.ACTIVE)


# Named, so that the services can write an action's history record themselves: one record per save, holding its
# options too (contracts.services._save_with_options), instead of one more full record per many-to-many `.set()`.
ACTION_HISTORY = HistoricalRecords(
    excluded_fields=["created_at", "updated_at", "form_token"],
    m2m_fields=["policy_fields", "action_types", "partners", "target_publics", "expected_impacts", "communes", "epcis"],
)


class Action(BaseModel):
    """A fiche-action. Drafts need only a title and an axis; completeness is checked per campaign."""

    contract = models.ForeignKey(Contract, verbose_name="contrat", on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveIntegerField("numéro")
    reference = models.CharField("référence", max_length=48, unique=True)
    external_id = models.CharField(
        "identifiant dans l’outil précédent",
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text="Donné par un import (colonne external_id) : un nouvel import retrouve l’action par lui.",
    )
    title = models.CharField("intitulé", max_length=255)
    description = models.TextField("description", blank=True)
    objectives = models.TextField("objectifs", blank=True)
    axis = option_fk("axe", "axes_pacte")
    subtheme = option_fk("sous-thématique", "sous_thematiques_par_axe")
    policy_fields = models.ManyToManyField(
        Option, verbose_name="champs d’action publique", related_name="+", blank=True
    )
    action_types = models.ManyToManyField(Option, verbose_name="types d’action", related_name="+", blank=True)
    nature = option_fk("nature de l’action", "nature_action")
    pilot_type = option_fk("type de pilote", "types_pilote_pactes_locaux")
    pilot_name = models.CharField("pilote", max_length=255, blank=True)
    implementation = option_fk("mise en œuvre", "pilotage_actions_cls")
    partners = models.ManyToManyField(Option, verbose_name="partenaires", related_name="+", blank=True)
    scale = option_fk("échelle de déploiement", "echelle_deploiement_cls")
    communes = models.ManyToManyField(
        "territories.Commune", verbose_name="communes concernées", related_name="+", blank=True
    )
    epcis = models.ManyToManyField("territories.Epci", verbose_name="EPCI concernés", related_name="+", blank=True)
    target_publics = models.ManyToManyField(Option, verbose_name="publics cibles", related_name="+", blank=True)
    qpv_targeting = option_fk("ciblage des quartiers prioritaires (QPV)", "ciblage_qpv_rural")
    rural_targeting = option_fk("ciblage des zones rurales", "ciblage_qpv_rural")
    direct_impact = option_fk("impact direct sur les personnes", "impact_direct_usagers")
    beneficiaries_target = models.PositiveIntegerField("nombre de bénéficiaires visé", null=True, blank=True)
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True)
    expected_impacts = models.ManyToManyField(Option, verbose_name="impacts attendus", related_name="+", blank=True)
    fte_funded = models.DecimalField(
        "ETP financés",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10000"))],
    )
    ceiling_justification = models.TextField("justification du dépassement du plafond de l’État", blank=True)
    needs_state_review = models.BooleanField(
        "à examiner par l’État", default=False, help_text="La part de l’État dépasse le plafond du type de contrat."
    )
    status = models.CharField("statut", max_length=16, choices=ActionStatus.choices, default=ActionStatus.ACTIVE)
    withdrawn_reason = models.TextField("motif du retrait", blank=True)
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    form_token = models.UUIDField(
        "jeton du formulaire de création",
        null=True,
        blank=True,
        editable=False,
        help_text="Donné au formulaire de création quand il s’affiche : le renvoyer ne crée pas une seconde action.",
    )
    history = ACTION_HISTORY

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche-action"
        verbose_name_plural = "fiches-actions"
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="action_unique_number"),
            models.UniqueConstraint(fields=["contract", "form_token"], name="action_unique_form_token"),
        ]
        indexes = [models.Index(fields=["contract", "status"])]

    def __str__(self):
        return f"{self.reference} — {self.title}"


class ActionYear(models.Model):
    """One year of an action: its budget lines, its execution fields, and the year's rolled-up totals."""

    action = models.ForeignKey(Action, verbose_name="action", on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField("année")
    # Execution (opened for entry by the `suivi` campaigns).
    progress_status = option_fk("état d’avancement", "etat_avancement_actions")
    deployment_satisfactory = models.BooleanField("déploiement satisfaisant", null=True, blank=True)
    beneficiaries_reached = models.PositiveIntegerField("bénéficiaires touchés", null=True, blank=True)
    assessment = models.TextField("bilan qualitatif", blank=True)
    difficulties = models.TextField("difficultés rencontrées", blank=True)
    # Totals of the year's budget lines, maintained by the services (never typed).
    has_budget = models.BooleanField(default=False)
    planned_state = models.DecimalField(**MONEY, default=Decimal("0"))
    planned_authority = models.DecimalField(**MONEY, default=Decimal("0"))
    planned_third_party = models.DecimalField(**MONEY, default=Decimal("0"))
    planned_total = models.DecimalField(**MONEY, default=Decimal("0"))
    spent_state = models.DecimalField(
        "dépense réalisée de l’État", **MONEY, null=True, blank=True, validators=AMOUNT_VALIDATORS
    )
    spent_authority = models.DecimalField(
        "dépense réalisée de la collectivité", **MONEY, null=True, blank=True, validators=AMOUNT_VALIDATORS
    )
    spent_third_party = models.DecimalField(
        "dépense réalisée des financeurs tiers", **MONEY, null=True, blank=True, validators=AMOUNT_VALIDATORS
    )
    third_party_financers = models.CharField(
        max_length=255,
        blank=True,
        help_text="Codes triés, séparés par « | », des financeurs tiers dont le montant est > 0.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "année d’action"
        verbose_name_plural = "années d’action"
        ordering = ["action", "year"]
        constraints = [models.UniqueConstraint(fields=["action", "year"], name="action_year_unique")]
        indexes = [models.Index(fields=["year", "action"])]

    def __str__(self):
        return f"{self.action.reference} {self.year}"

    @property
    def spent_total(self) -> Decimal | None:
        """Actual spending of all financers, or None until reported."""
        spent = [v for v in (self.spent_state, self.spent_authority, self.spent_third_party) if v is not None]
        return sum(spent, Decimal("0")) if spent else None

    @property
    def state_share(self) -> Decimal | None:
        if not self.planned_total:
            return None
        return self.planned_state * 100 / self.planned_total


class BudgetLine(models.Model):
    """A planned amount of one financer for one year (actual spending is reported per financer on ActionYear)."""

    action_year = models.ForeignKey(
        ActionYear, verbose_name="année", on_delete=models.CASCADE, related_name="budget_lines"
    )
    financer = models.CharField("financeur", max_length=16, choices=Financer.choices)
    financer_type = option_fk("type de financeur tiers", "cofinanceurs_cls")
    planned = models.DecimalField("montant prévu", **MONEY, validators=AMOUNT_VALIDATORS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ligne de financement"
        verbose_name_plural = "lignes de financement"
        ordering = ["action_year", "financer", "id"]

    def __str__(self):
        return f"{self.get_financer_display()} {self.planned} €"


class Indicator(models.Model):
    action = models.ForeignKey(Action, verbose_name="action", on_delete=models.CASCADE, related_name="indicators")
    label = models.CharField("indicateur", max_length=255)
    unit = models.CharField("unité", max_length=50, blank=True)
    baseline = models.DecimalField("valeur de référence", max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField("cible", max_digits=14, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["action", "id"]

    def __str__(self):
        return self.label


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, verbose_name="indicateur", on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField("année")
    value = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "valeur d’indicateur"
        verbose_name_plural = "valeurs d’indicateur"
        ordering = ["indicator", "year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="indicator_value_unique_year")]

    def __str__(self):
        return f"{self.indicator} {self.year} : {self.value}"
