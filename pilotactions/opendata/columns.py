"""The columns of the open-data publication: one list drives the CSV, the Parquet file, the Table Schema
and the README (docs/open-data.md explains what is kept and excluded, and why)."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa

MULTI_SEPARATOR = "|"
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Field:
    """A published column. `type` is a Table Schema type (string, integer, number, date, boolean); `options`
    names the action field whose option lists give the codes allowed (`enum`, or a pattern of `|`-separated
    codes when `multiple`)."""

    name: str
    title: str
    description: str
    type: str = "string"
    options: str | None = None
    multiple: bool = False
    required: bool = False
    money: bool = False  # a number in euros with cents: Decimal, decimal128 in Parquet; other numbers are floats

    @property
    def arrow_type(self) -> pa.DataType:
        return {
            "string": pa.string(),
            "integer": pa.int64(),
            "number": pa.decimal128(16, 2) if self.money else pa.float64(),
            "date": pa.date32(),
            "boolean": pa.bool_(),
        }[self.type]

    def value(self, raw):
        """The typed value of a source value (the export's strings, a snapshot's JSON values); None if empty."""
        if raw is None or raw == "":
            return None
        if self.type == "integer":
            return int(raw)
        if self.type == "number":
            return Decimal(str(raw)).quantize(CENTS, ROUND_HALF_UP) if self.money else float(raw)
        if self.type == "date":
            return raw if isinstance(raw, date) else date.fromisoformat(raw)
        if self.type == "boolean":
            return bool(raw)
        return str(raw)

    def text(self, value) -> str:
        """The CSV text of a typed value: ISO dates, `1234.50`, `true`/`false`, empty for None."""
        if value is None:
            return ""
        if self.type == "boolean":
            return "true" if value else "false"
        if self.type == "number":
            return f"{value:.2f}" if self.money else repr(value)
        if self.type == "date":
            return value.isoformat()
        return str(value)


_AMOUNT = "Montant en euros, avec les centimes, de l’année publiée (vide : aucune ligne de financement saisie)."
_SPENT = "Dépense réalisée déclarée au suivi de l’année, en euros (vide : non renseignée)."

ACTION_FIELDS = [
    Field("action_id", "Référence de l’action", "Identifiant stable de la fiche-action.", required=True),
    Field("contract_id", "Référence du contrat", "Identifiant du contrat local des solidarités.", required=True),
    Field("contract_type", "Type de contrat", "Code du type de contrat (CLS-D : département, CLS-M : métropole)."),
    Field("authority_code", "Code de la collectivité", "Code officiel (COG, SIREN) de la collectivité signataire."),
    Field("authority_name", "Collectivité", "Nom de la collectivité signataire (personne morale publique)."),
    Field("region_code", "Code région", "Code INSEE de la région de la collectivité."),
    Field("departement_code", "Code département", "Code INSEE du département de la collectivité."),
    Field("axis", "Axe", "Axe du Pacte des solidarités.", options="axis"),
    Field("subtheme", "Sous-thématique", "Sous-thématique de l’axe.", options="subtheme"),
    Field("nature", "Nature", "Action nouvelle ou renforcement d’une action existante.", options="nature"),
    Field(
        "policy_fields", "Champs d’action publique", "Codes séparés par « | ».", options="policy_fields", multiple=True
    ),
    Field("action_types", "Types d’action", "Codes séparés par « | ».", options="action_types", multiple=True),
    Field("scale", "Échelle de déploiement", "Échelle territoriale de l’action.", options="scale"),
    Field("implementation", "Mise en œuvre", "Qui met l’action en œuvre.", options="implementation"),
    Field("pilot_type", "Type de pilote", "Type de structure pilote.", options="pilot_type"),
    Field("partners", "Partenaires", "Codes séparés par « | ».", options="partners", multiple=True),
    Field("target_publics", "Publics cibles", "Codes séparés par « | ».", options="target_publics", multiple=True),
    Field("qpv_targeting", "Ciblage QPV", "Ciblage des quartiers prioritaires de la ville.", options="qpv_targeting"),
    Field("rural_targeting", "Ciblage rural", "Ciblage des zones rurales.", options="rural_targeting"),
    Field("direct_impact", "Impact direct", "Impact direct sur les personnes accompagnées.", options="direct_impact"),
    Field("beneficiaries_target", "Bénéficiaires visés", "Nombre de personnes visées.", "integer"),
    Field("start_date", "Date de début", "Date de début de l’action.", "date"),
    Field("end_date", "Date de fin", "Date de fin prévue de l’action.", "date"),
    Field("budget_state", "Crédits de l’État (€)", _AMOUNT, "number", money=True),
    Field("budget_authority", "Crédits de la collectivité (€)", _AMOUNT, "number", money=True),
    Field("budget_third_party", "Crédits des financeurs tiers (€)", _AMOUNT, "number", money=True),
    Field("budget_total", "Budget total (€)", _AMOUNT, "number", money=True),
    Field(
        "third_party_financers",
        "Financeurs tiers",
        "Types de co-financeurs, codes séparés par « | ».",
        options="financer_type",
        multiple=True,
    ),
    Field("status", "État d’avancement", "État d’avancement de l’action dans l’année.", options="progress_status"),
    Field(
        "deployment_satisfactory",
        "Déploiement satisfaisant",
        "Le déploiement est-il jugé satisfaisant au suivi de l’année (vide : non renseigné).",
        "boolean",
    ),
    Field("beneficiaries_reached", "Bénéficiaires touchés", "Personnes touchées déclarées au suivi.", "integer"),
    Field("spent_state", "Dépenses réalisées de l’État (€)", _SPENT, "number", money=True),
    Field("spent_authority", "Dépenses réalisées de la collectivité (€)", _SPENT, "number", money=True),
    Field("spent_third_party", "Dépenses réalisées des financeurs tiers (€)", _SPENT, "number", money=True),
]
EXECUTION = ["deployment_satisfactory", "beneficiaries_reached", "spent_state", "spent_authority", "spent_third_party"]

# Not published, with the reason (the README and docs/open-data.md list them).
EXCLUDED = [
    ("title", "Intitulé de l’action", "texte libre saisi par les collectivités, non relu avant publication"),
    ("description", "Description", "texte libre saisi par les collectivités, non relu"),
    ("objectives", "Objectifs", "texte libre saisi par les collectivités, non relu"),
    ("pilot_name", "Pilote", "nom d’une personne ou d’une structure : donnée personnelle possible"),
    ("fte_funded", "Équivalents temps plein financés", "hors de l’export et du bilan : non publié à ce jour"),
    ("ceiling_justification", "Justification du dépassement du plafond", "texte libre, non relu"),
    ("assessment", "Appréciation du suivi", "texte libre, non relu"),
    ("difficulties", "Difficultés rencontrées", "texte libre, non relu (peut citer des personnes)"),
    ("expected_impacts", "Impacts attendus", "saisis mais ni exportés ni comptés par le bilan"),
    ("—", "Auteurs, valideurs, commentaires, historique", "données personnelles des agents"),
]

FIGURE_FIELDS = [
    Field("figure_id", "Identifiant de la figure", "Identifiant stable de la figure du bilan.", required=True),
    Field("figure_title", "Titre de la figure", "Titre de la figure dans le bilan."),
    Field("chapter", "Chapitre", "Chapitre du bilan."),
    Field("row_key", "Clé de la ligne", "Code de la ligne (code d’option, code INSEE, `total`…).", required=True),
    Field("row_label", "Libellé de la ligne", "Libellé de la ligne."),
    Field(
        "series", "Série", "Type de contrat de la colonne (`ALL` : les types de la famille ensemble).", required=True
    ),
    Field("value", "Valeur", "Valeur (pourcentage 0-100, montant en euros ou effectif selon l’unité).", "number"),
    Field("unit", "Unité", "Unité de la valeur (`%`, `€`, vide pour un effectif)."),
    Field("base", "Base", "Effectif sur lequel la valeur est calculée (actions, contrats…).", "integer"),
]


def arrow_schema(fields: list[Field]) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.arrow_type, nullable=not f.required) for f in fields])
