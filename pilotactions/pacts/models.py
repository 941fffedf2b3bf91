"""Local solidarity pacts (pactes locaux des solidarités): the regional envelopes, the pacts and their
actions, and the commissioners' yearly survey (its questions are data, its answers one row each).

A pact is a model of its own, not a contract type: it is signed by the regional prefect for a
delimited territory, with no co-contracting authority (docs/decisions.md, « Pactes locaux »).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pilotactions.contracts.models import AMOUNT_VALIDATORS, MONEY, BaseActionImport
from pilotactions.core.history import HistoricalRecords
from pilotactions.core.models import BaseModel
from pilotactions.nomenclatures.models import Option

from .enums import PactActionStatus, PactStatus, PactTerritoryKind, QuestionKind, QuestionScope


def option_fk(label, list_code, **kwargs):
    return models.ForeignKey(
        Option,
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=f"Liste de valeurs : {list_code}.",
        **kwargs,
    )


def option_m2m(label, list_code):
    return models.ManyToManyField(
        Option, verbose_name=label, related_name="+", blank=True, help_text=f"Liste de valeurs : {list_code}."
    )


# --- Regional envelopes ------------------------------------------------------------------------


class EnvelopeYear(models.Model):
    """The national amount of the pacts' credits for a year, the indicator it is shared by, and its freeze."""

    year = models.PositiveSmallIntegerField("année", unique=True)
    national_amount = models.DecimalField("montant national", **MONEY, validators=AMOUNT_VALIDATORS)
    overseas_uplift = models.DecimalField(
        "majoration outre-mer",
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("5.00"))],
        help_text="Facteur appliqué à l’indicateur des départements d’outre-mer avant le partage (1,00 : aucune).",
    )
    indicator_source = models.CharField("source de l’indicateur de pauvreté", max_length=255, blank=True)
    indicator_year = models.PositiveSmallIntegerField("millésime de l’indicateur", null=True, blank=True)
    indicator_file_name = models.CharField("fichier importé", max_length=255, blank=True)
    indicator_imported_at = models.DateTimeField("indicateur importé le", null=True, blank=True)
    frozen_at = models.DateTimeField("figée le", null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "enveloppe nationale des pactes locaux"
        verbose_name_plural = "enveloppes nationales des pactes locaux"
        ordering = ["-year"]

    def __str__(self):
        return f"Pactes locaux {self.year}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class PovertyIndicator(models.Model):
    """People under the poverty line (60 % of the median living standard) in a département, as imported."""

    envelope_year = models.ForeignKey(EnvelopeYear, on_delete=models.CASCADE, related_name="indicators")
    departement = models.ForeignKey("territories.Departement", on_delete=models.PROTECT, related_name="+")
    poor_people = models.PositiveIntegerField("personnes sous le seuil de pauvreté")

    class Meta:
        verbose_name = "indicateur de pauvreté"
        verbose_name_plural = "indicateurs de pauvreté"
        ordering = ["envelope_year", "departement__code"]
        constraints = [
            models.UniqueConstraint(fields=["envelope_year", "departement"], name="poverty_indicator_unique")
        ]

    def __str__(self):
        return f"{self.departement_id} : {self.poor_people}"


class RegionalEnvelope(models.Model):
    """A région's share of the year's national amount: computed, possibly adjusted by hand with a reason."""

    envelope_year = models.ForeignKey(EnvelopeYear, on_delete=models.CASCADE, related_name="regional_envelopes")
    region = models.ForeignKey("territories.Region", on_delete=models.PROTECT, related_name="pact_envelopes")
    computed_amount = models.DecimalField("montant calculé", **MONEY)
    amount = models.DecimalField("montant retenu", **MONEY, validators=AMOUNT_VALIDATORS)
    adjustment_reason = models.TextField("motif de l’ajustement", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "enveloppe régionale"
        verbose_name_plural = "enveloppes régionales"
        ordering = ["envelope_year", "region__code"]
        constraints = [models.UniqueConstraint(fields=["envelope_year", "region"], name="regional_envelope_unique")]

    def __str__(self):
        return f"{self.region} {self.envelope_year.year}"


# --- Pacts and their actions ---------------------------------------------------------------------


class PactQuerySet(models.QuerySet):
    def visible_to(self, role):
        """The pacts the role may read (pacts.perms.pact_scope_q)."""
        from .perms import pact_scope_q

        return self.filter(pact_scope_q(role))


class Pact(BaseModel):
    reference = models.CharField("référence", max_length=40, unique=True)
    year = models.PositiveSmallIntegerField("année de l’enveloppe")
    region = models.ForeignKey(
        "territories.Region", verbose_name="région", on_delete=models.PROTECT, related_name="pacts"
    )
    title = models.CharField("intitulé", max_length=255)
    territory_kind = models.CharField("territoire", max_length=16, choices=PactTerritoryKind.choices)
    territory_label = models.CharField(
        "nom du territoire", max_length=255, blank=True, help_text="Le nom du quartier, par exemple."
    )
    communes = models.ManyToManyField("territories.Commune", verbose_name="communes", related_name="+", blank=True)
    epcis = models.ManyToManyField("territories.Epci", verbose_name="EPCI", related_name="+", blank=True)
    departements = models.ManyToManyField(
        "territories.Departement",
        verbose_name="départements concernés",
        related_name="pacts",
        blank=True,
        help_text="Déduits du territoire : ils donnent l’accès aux services départementaux de l’État.",
    )
    partner_authorities = models.ManyToManyField(
        "territories.Authority", verbose_name="collectivités partenaires", related_name="pacts", blank=True
    )
    priorities = option_m2m("priorités (1 à 3)", "axes_pacte")
    total_budget = models.DecimalField("budget total", **MONEY, validators=AMOUNT_VALIDATORS, null=True, blank=True)
    state_amount = models.DecimalField(
        "crédits de l’enveloppe régionale", **MONEY, validators=AMOUNT_VALIDATORS, default=Decimal("0")
    )
    project_lead = models.CharField("porteur de projet", max_length=255, blank=True)
    start_date = models.DateField("date de début", null=True, blank=True)
    end_date = models.DateField("date de fin", null=True, blank=True)
    construction_started_on = models.DateField("début de la construction", null=True, blank=True)
    status = models.CharField("statut", max_length=16, choices=PactStatus.choices, default=PactStatus.BUILDING)
    finalised_on = models.DateField("date de finalisation", null=True, blank=True)
    abandoned_reason = models.TextField("motif de l’abandon", blank=True)
    bilan_illustration = models.TextField(
        "illustration du bilan",
        blank=True,
        default="",
        db_default="",  # a column added to a growing table: no table rewrite (tests/core/test_migration_safety.py)
        help_text="Texte imprimé dans un encadré « Illustration » du chapitre III du bilan ; vide : le pacte "
        "n’illustre pas le bilan. Choisi par la DIPLP.",
    )
    version = models.PositiveIntegerField(default=1)
    form_token = models.UUIDField(null=True, blank=True, editable=False)
    history = HistoricalRecords(
        excluded_fields=["created_at", "updated_at", "form_token"],
        m2m_fields=[communes, epcis, departements, partner_authorities, priorities],
    )

    objects = PactQuerySet.as_manager()

    class Meta:
        verbose_name = "pacte local"
        verbose_name_plural = "pactes locaux"
        ordering = ["reference"]
        indexes = [models.Index(fields=["year", "region"])]
        constraints = [models.UniqueConstraint(fields=["region", "form_token"], name="pact_unique_form_token")]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    def territory_text(self) -> str:
        """« Commune(s) — Lille, Roubaix » : the kind and the names (prefetch communes, epcis, departements)."""
        kind = PactTerritoryKind(self.territory_kind)
        names = {
            PactTerritoryKind.COMMUNES: [c.name for c in self.communes.all()],
            PactTerritoryKind.EPCIS: [e.name for e in self.epcis.all()],
            PactTerritoryKind.DEPARTEMENT: [d.name for d in self.departements.all()],
            PactTerritoryKind.REGION: [self.region.name],
        }.get(kind) or ([self.territory_label] if self.territory_label else [])
        label = "EPCI" if kind == PactTerritoryKind.EPCIS else kind.label  # the full label is long for a table
        if not names:
            return label
        more = f" et {len(names) - 3} autres" if len(names) > 3 else ""
        return f"{label} — {', '.join(sorted(names)[:3])}{more}"


class PactCofinancing(models.Model):
    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="cofinancings")
    financer_type = option_fk("co-financeur", "cofinanceurs_pactes_locaux")
    financer_name = models.CharField("nom du co-financeur", max_length=255, blank=True)
    amount = models.DecimalField("montant", **MONEY, validators=AMOUNT_VALIDATORS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "co-financement du pacte"
        verbose_name_plural = "co-financements du pacte"
        ordering = ["pact", "id"]

    def __str__(self):
        return f"{self.financer_name or self.financer_type} : {self.amount} €"


class PactDocument(BaseModel):
    """A document of a pact, stored outside the web root like a contract's (contracts.documents)."""

    pact = models.ForeignKey(Pact, verbose_name="pacte", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("type de document", max_length=20)
    original_name = models.CharField("nom du fichier", max_length=255)
    storage_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "document du pacte"
        verbose_name_plural = "documents du pacte"
        ordering = ["pact", "-created_at"]

    def __str__(self):
        return self.original_name


class PactActionQuerySet(models.QuerySet):
    def visible_to(self, role):
        from .perms import pact_scope_q

        return self.filter(pact_scope_q(role, "pact__"))

    def active(self):
        return self.filter(status=PactActionStatus.ACTIVE)


class PactAction(BaseModel):
    """An action of a pact: the harmonised form with the pact option lists."""

    pact = models.ForeignKey(Pact, verbose_name="pacte", on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveIntegerField("numéro")
    reference = models.CharField("référence", max_length=48, unique=True)
    title = models.CharField("intitulé", max_length=255)
    description = models.TextField("description", blank=True)
    policy_fields = option_m2m("champs d’action publique", "champs_action_publique_pactes_locaux")
    scale = option_fk("échelle géographique", "echelle_geographique_pactes_locaux")
    pilot_type = option_fk("type de pilote", "types_pilote_pactes_locaux")
    pilot_name = models.CharField("pilote", max_length=255, blank=True)
    partners = option_m2m("partenaires", "partenaires_pactes_locaux")
    targets_specific_public = models.BooleanField("cible un public spécifique", null=True, blank=True)
    target_publics = option_m2m("publics cibles", "publics_cibles")
    qpv_targeting = option_fk("ciblage des quartiers prioritaires (QPV)", "ciblage_qpv_rural")
    rural_targeting = option_fk("ciblage des zones rurales", "ciblage_qpv_rural")
    beneficiaries_target = models.PositiveIntegerField("bénéficiaires visés", null=True, blank=True)
    beneficiaries_bracket = option_fk("volume de bénéficiaires visés", "volumes_beneficiaires")
    beneficiaries_reached = models.PositiveIntegerField("bénéficiaires touchés", null=True, blank=True)
    total_budget = models.DecimalField("budget total", **MONEY, validators=AMOUNT_VALIDATORS, null=True, blank=True)
    state_amount = models.DecimalField("crédits du pacte", **MONEY, validators=AMOUNT_VALIDATORS, null=True, blank=True)
    budget_bracket = option_fk("tranche de budget (déduite des montants)", "tranches_budget_action")
    resources = option_m2m("ressources mobilisées", "ressources_mobilisees")
    duration = option_fk("durée", "duree_actions")
    progress_status = option_fk("état d’avancement", "etat_avancement_actions")
    deployment_satisfactory = models.BooleanField("déploiement satisfaisant", null=True, blank=True)
    expected_impacts = option_m2m("impacts attendus", "impacts_attendus")
    status = models.CharField(
        "statut", max_length=16, choices=PactActionStatus.choices, default=PactActionStatus.ACTIVE
    )
    withdrawn_reason = models.TextField("motif du retrait", blank=True)
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    form_token = models.UUIDField(null=True, blank=True, editable=False)
    history = HistoricalRecords(
        excluded_fields=["created_at", "updated_at", "form_token"],
        m2m_fields=[policy_fields, partners, target_publics, resources, expected_impacts],
    )

    objects = PactActionQuerySet.as_manager()

    class Meta:
        verbose_name = "action de pacte local"
        verbose_name_plural = "actions de pactes locaux"
        ordering = ["pact", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pact", "number"], name="pact_action_unique_number"),
            models.UniqueConstraint(fields=["pact", "form_token"], name="pact_action_unique_form_token"),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"


class PactActionCofinancing(models.Model):
    action = models.ForeignKey(PactAction, on_delete=models.CASCADE, related_name="cofinancings")
    financer_type = option_fk("co-financeur", "cofinanceurs_pactes_locaux")
    financer_name = models.CharField("nom du co-financeur", max_length=255, blank=True)
    amount = models.DecimalField("montant", **MONEY, validators=AMOUNT_VALIDATORS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "co-financement de l’action"
        verbose_name_plural = "co-financements de l’action"
        ordering = ["action", "id"]

    def __str__(self):
        return f"{self.financer_name or self.financer_type} : {self.amount} €"


class PactActionImport(BaseActionImport):
    """A file of actions uploaded on a pact's page « Importer des actions »: its dry run, then its import. The
    lifecycle is the contracts' one (contracts/imports.py); the rows go through pacts/importing.py. `year` is the
    pact's (a pact action has no yearly columns)."""

    pact = models.ForeignKey(Pact, verbose_name="pacte", on_delete=models.CASCADE, related_name="imports")
    document = models.ForeignKey(PactDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "import d’actions d’un pacte"
        verbose_name_plural = "imports d’actions de pactes"
        ordering = ["pact", "-created_at"]

    def __str__(self):
        return f"Import « {self.original_name} » ({self.pact_id})"


# --- The commissioners' survey -------------------------------------------------------------------


class SurveyQuestion(models.Model):
    """A question of the commissioners' survey, as data: a later survey adds or retires questions
    (`first_year`, `last_year`) without a migration."""

    code = models.SlugField("code", max_length=64, unique=True)
    label = models.CharField("question", max_length=500)
    help_text = models.TextField("aide", blank=True)
    kind = models.CharField("nature", max_length=16, choices=QuestionKind.choices)
    scope = models.CharField("portée", max_length=8, choices=QuestionScope.choices)
    option_list = models.ForeignKey(
        "nomenclatures.OptionList", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exclusive_option = models.CharField(
        "option exclusive", max_length=64, blank=True, help_text="Pour un choix multiple : « aucune », seule si cochée."
    )
    condition = models.JSONField(
        "condition",
        default=dict,
        blank=True,
        help_text='Posée seulement si une autre réponse la permet : {"question": "code", "in": ["oui"]}.',
    )
    form_field = models.CharField(
        "champ du formulaire",
        max_length=64,
        blank=True,
        help_text="Le champ du pacte ou de l’action qui tient déjà la réponse : pré-rempli, jamais demandé deux fois.",
    )
    required = models.BooleanField(
        "réponse exigée à la soumission",
        db_default=True,
        help_text="Une question facultative (un texte libre, un nombre souvent inconnu la première année) ne bloque pas.",
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    first_year = models.PositiveSmallIntegerField("posée à partir de", default=2024)
    last_year = models.PositiveSmallIntegerField("posée jusqu’à", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "question de l’enquête"
        verbose_name_plural = "questions de l’enquête"
        ordering = ["scope", "position", "code"]

    def __str__(self):
        return self.label


class SurveyAnswer(models.Model):
    """One answer of the survey of a year, for a pact or one of its actions.

    `value` holds an option code, a list of codes, a number, an ISO date or a text, by the question's kind.
    """

    year = models.PositiveSmallIntegerField("année de l’enquête")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="survey_answers")
    action = models.ForeignKey(
        PactAction, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_answers"
    )
    value = models.JSONField("réponse", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField("répondu le", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "réponse à l’enquête"
        verbose_name_plural = "réponses à l’enquête"
        ordering = ["year", "pact", "action", "question__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "question", "pact"],
                condition=models.Q(action__isnull=True),
                name="survey_answer_unique_per_pact",
            ),
            models.UniqueConstraint(
                fields=["year", "question", "action"],
                condition=models.Q(action__isnull=False),
                name="survey_answer_unique_per_action",
            ),
        ]

    def __str__(self):
        return f"{self.question.code} = {self.value}"
