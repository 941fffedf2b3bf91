"""The open-data publication of a year: the validated actions (anonymised) and the bilan figures, as CSV and
Parquet with a Table Schema, a datapackage.json and a README, written to a temporary directory then moved
into `<out>/<year>/` (docs/open-data.md)."""

import csv
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.utils import timezone

from pilotactions.campaigns.enums import CampaignKind, DossierState
from pilotactions.campaigns.models import Campaign
from pilotactions.campaigns.selectors import validated_snapshots
from pilotactions.contracts.export import export_rows
from pilotactions.contracts.models import ActionYear, ContractType
from pilotactions.nomenclatures.models import Option
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.bilan import bilan_build, to_json

from .columns import ACTION_FIELDS, EXCLUDED, EXECUTION, FIGURE_FIELDS, MULTI_SEPARATOR, Field, arrow_schema

CHUNK = 5000
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
# The files of a publication, with their content types: the only names the public page serves.
FILES = {
    "actions.csv": "text/csv; charset=utf-8",
    "actions.parquet": "application/vnd.apache.parquet",
    "figures.csv": "text/csv; charset=utf-8",
    "figures.json": "application/json",
    "schema.json": "application/json",
    "schema-figures.json": "application/json",
    "datapackage.json": "application/json",
    "README.md": "text/markdown; charset=utf-8",
}
# Default list of an option field when a contract type names none (contracts.models' option_fk).
DEFAULT_LISTS = {
    "axis": "axes_pacte",
    "subtheme": "sous_thematiques_par_axe",
    "nature": "nature_action",
    "pilot_type": "types_pilote_pactes_locaux",
    "implementation": "pilotage_actions_cls",
    "scale": "echelle_deploiement_cls",
    "qpv_targeting": "ciblage_qpv_rural",
    "rural_targeting": "ciblage_qpv_rural",
    "direct_impact": "impact_direct_usagers",
    "progress_status": "etat_avancement_actions",
    "financer_type": "cofinanceurs_cls",
}
YEAR_DIR = re.compile(r"^\d{4}$")


class NothingToPublish(Exception):
    """No validated campaign for the year, and a live publication was not asked for."""


@dataclass
class Source:
    """What a publication reads: a contract campaign's validated dossiers, or the live data (`campaign` None)."""

    year: int
    campaign: Campaign | None
    dossiers: int = 0

    def describe(self) -> str:
        if self.campaign is None:
            return f"données en cours de saisie (non validées) des actions actives en {self.year}"
        return (
            f"instantanés des {self.dossiers} dossiers validés de la campagne « {self.campaign.name} » "
            f"(n° {self.campaign.pk})"
        )


@dataclass
class Publication:
    year: int
    path: Path
    source: str
    actions: int = 0
    figures: int = 0
    sizes: dict = field(default_factory=dict)


def year_campaign(year: int) -> Campaign | None:
    """The year's contract campaign: the latest opened follow-up (`suivi`) campaign of the year having a
    validated dossier, else the latest such programming campaign."""
    campaigns = Campaign.objects.filter(year=year, dossiers__state=DossierState.VALIDATED).distinct()
    for kind in (CampaignKind.SUIVI, CampaignKind.PROGRAMMATION):
        found = campaigns.filter(kind=kind).order_by("-opens_at", "-pk").first()
        if found is not None:
            return found
    return None


def source_for(year: int, campaign_id: int | None = None, *, live: bool = False) -> Source:
    if live:
        return Source(year, None)
    campaign = Campaign.objects.filter(pk=campaign_id).first() if campaign_id else year_campaign(year)
    if campaign_id and campaign is None:
        raise NothingToPublish(f"Aucune campagne n° {campaign_id}.")
    if campaign is not None and campaign.kind == CampaignKind.ENQUETE:
        raise NothingToPublish(f"La campagne n° {campaign.pk} est une enquête : elle ne porte sur aucune action.")
    if campaign is not None and campaign.year != year:
        raise NothingToPublish(f"La campagne n° {campaign.pk} porte sur {campaign.year}, pas sur {year}.")
    dossiers = campaign.dossiers.filter(state=DossierState.VALIDATED).count() if campaign else 0
    if not dossiers:
        raise NothingToPublish(
            f"Aucun dossier validé pour {year} : rien à publier. Validez la campagne des contrats de l’année, "
            "ou publiez les données en cours de saisie avec --live."
        )
    return Source(year, campaign, dossiers)


def source_rows(source: Source) -> Iterator[dict]:
    """Flat rows: the export's columns plus the year's execution fields."""
    if source.campaign is not None:
        for data in validated_snapshots(source.campaign.pk):
            for row in data["actions"]:
                yield {**row, **{name: (row.get("execution") or {}).get(name) for name in EXECUTION}}
        return
    rows = export_rows(source.year)
    while chunk := list(islice(rows, CHUNK)):
        execution = {
            y.pop("action__reference"): y
            for y in ActionYear.objects.filter(
                year=source.year, action__reference__in=[row["action_id"] for row in chunk]
            ).values("action__reference", *EXECUTION)
        }
        for row in chunk:
            yield {**row, **execution.get(row["action_id"], dict.fromkeys(EXECUTION))}


def typed(fields: list[Field], row: dict) -> dict:
    return {f.name: f.value(row.get(f.name)) for f in fields}


def option_codes() -> dict[str, set[str]]:
    """For each option field, the codes of its option lists (every contract type's, retired options included)."""
    lists: dict[str, set[str]] = {name: {code} for name, code in DEFAULT_LISTS.items()}
    for option_lists in ContractType.objects.values_list("option_lists", flat=True):
        for name, code in (option_lists or {}).items():
            lists.setdefault(name, set()).add(code)
    by_list: dict[str, set[str]] = {}
    for list_code, code in Option.objects.values_list("option_list__code", "code"):
        by_list.setdefault(list_code, set()).add(code)
    return {name: set().union(*(by_list.get(c, set()) for c in codes)) for name, codes in lists.items()}


def table_schema(fields: list[Field], codes: dict[str, set[str]] | None = None) -> dict:
    """A Table Schema (frictionless, as on schema.data.gouv.fr) of the fields: enums for option codes, a
    pattern of `|`-separated codes for multi-valued ones."""
    result = []
    for f in fields:
        item = {"name": f.name, "title": f.title, "description": f.description, "type": f.type}
        if f.type == "date":
            item["format"] = "%Y-%m-%d"
        constraints = {}
        if f.required:
            constraints["required"] = True
        if f.type in ("integer", "number") and f.name.startswith(("budget", "spent", "beneficiaries")):
            constraints["minimum"] = 0
        allowed = sorted(codes.get(f.options, ())) if codes and f.options else []
        if allowed and f.multiple:
            one = "(?:" + "|".join(re.escape(code) for code in allowed) + ")"
            constraints["pattern"] = f"{one}(?:\\{MULTI_SEPARATOR}{one})*"
        elif allowed:
            constraints["enum"] = allowed
        if constraints:
            item["constraints"] = constraints
        result.append(item)
    primary = [f.name for f in fields if f.name == "action_id"]
    schema = {"fields": result, "missingValues": [""]}
    if primary:
        schema["primaryKey"] = primary
    return schema


class _Table:
    """A CSV and, optionally, a Parquet file written together, chunk by chunk, from the same typed rows."""

    def __init__(self, fields: list[Field], csv_path: Path, parquet_path: Path | None = None):
        self.fields = fields
        self.handle = open(csv_path, "w", encoding="utf-8", newline="")  # noqa: SIM115 -- closed by close()
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.writer.writerow([f.name for f in fields])
        self.schema = arrow_schema(fields)
        self.parquet = pq.ParquetWriter(parquet_path, self.schema, compression="zstd") if parquet_path else None
        self.buffer: list[dict] = []
        self.rows = 0
        self.seen: dict[str, set[str]] = {f.name: set() for f in fields if f.options}

    def add(self, row: dict) -> None:
        self.writer.writerow([f.text(row[f.name]) for f in self.fields])
        for name, seen in self.seen.items():
            if row[name]:
                seen.update(row[name].split(MULTI_SEPARATOR))
        self.rows += 1
        if self.parquet is not None:
            self.buffer.append(row)
            if len(self.buffer) >= CHUNK:
                self.flush()

    def flush(self) -> None:
        if self.parquet is not None and self.buffer:
            self.parquet.write_table(pa.Table.from_pylist(self.buffer, schema=self.schema))
        self.buffer = []

    def close(self) -> None:
        self.flush()
        if self.parquet is not None:
            self.parquet.close()
        self.handle.close()


def figure_rows(bilan: dict) -> Iterator[dict]:
    """The bilan in long format: one row per figure, row and series."""
    for figure in bilan["figures"]:
        for row in figure["rows"]:
            for series, value in row["values"].items():
                if not (value is None or isinstance(value, int | float | Decimal)) or isinstance(value, bool):
                    continue  # a table of texts (the measures' dashboard): in figures.json only
                base = figure["base"].get(series) if isinstance(figure["base"], dict) else None
                yield typed(
                    FIGURE_FIELDS,
                    {
                        "figure_id": figure["id"],
                        "figure_title": figure["title"],
                        "chapter": figure["chapter"],
                        "row_key": row["key"],
                        "row_label": row["label"],
                        "series": series,
                        "value": value,
                        "unit": figure["unit"],
                        "base": base if isinstance(base, int) else None,
                    },
                )


def readme(year: int, source: Source, created: datetime, actions: int, figures: int, codes: dict) -> str:
    """The README of a publication, written from the same column definitions as the files."""

    def table(fields: list[Field]) -> list[str]:
        lines = ["| colonne | titre | type | description |", "|---|---|---|---|"]
        for f in fields:
            kind = f.type + (" (codes séparés par `|`)" if f.multiple else "")
            if f.options:
                kind += f", codes de la liste « {f.options} »"
            lines.append(f"| `{f.name}` | {f.title} | {kind} | {f.description} |")
        return lines

    lines = [
        f"# Pilot'actions — données ouvertes {year}",
        "",
        f"Publié le {timezone.localtime(created):%d/%m/%Y à %H:%M} par la DIPLP, sous licence Etalab 2.0.",
        f"Source : {source.describe()}.",
        "",
        "| fichier | contenu |",
        "|---|---|",
        f"| `actions.csv`, `actions.parquet` | {actions} actions, une ligne par action (UTF-8, virgule) |",
        f"| `figures.csv` | {figures} valeurs des figures du bilan, une ligne par figure, ligne et série |",
        "| `figures.json` | le bilan au format de `bilan --format json` |",
        "| `schema.json`, `schema-figures.json` | les schémas (Table Schema) des deux fichiers CSV |",
        "| `datapackage.json` | le paquet de données (frictionless) qui décrit les deux ressources |",
        "",
        "Dates au format ISO (`2025-03-31`), montants en euros avec un point décimal (`1234.50`), booléens",
        "`true`/`false`, valeur vide : non renseigné. Les codes d’option sont ceux des listes de valeurs de",
        "Pilot'actions (leurs codes autorisés sont dans `schema.json`).",
        "",
        "## actions.csv",
        "",
        *table(ACTION_FIELDS),
        "",
        "### Colonnes non publiées",
        "",
        "Aucune donnée personnelle n’est publiée : ni nom, ni adresse électronique, ni téléphone de personne. Les",
        "collectivités et les territoires sont des personnes morales publiques et restent nommés.",
        "",
        "| champ | contenu | raison |",
        "|---|---|---|",
        *[f"| `{name}` | {title} | {why} |" for name, title, why in EXCLUDED],
        "",
        "## figures.csv",
        "",
        *table(FIGURE_FIELDS),
        "",
    ]
    return "\n".join(lines)


def publish(year: int, out: Path | str, *, campaign_id: int | None = None, live: bool = False) -> Publication:
    """Write the year's publication to `<out>/<year>/` (replacing a previous one of the same year, keeping the
    other years). Raises NothingToPublish when there is no validated campaign and `live` is not asked."""
    source = source_for(year, campaign_id, live=live)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    created = timezone.now()
    work = Path(tempfile.mkdtemp(prefix=f".{year}-", dir=out))  # same file system: the final rename is atomic
    try:
        actions = _Table(ACTION_FIELDS, work / "actions.csv", work / "actions.parquet")
        try:
            for row in source_rows(source):
                actions.add(typed(ACTION_FIELDS, row))
        finally:
            actions.close()
        scope = Scope(year=year, campaign_id=source.campaign.pk if source.campaign else None)
        bilan = bilan_build(scope)
        (work / "figures.json").write_text(to_json(bilan), encoding="utf-8")
        figures = _Table(FIGURE_FIELDS, work / "figures.csv")
        try:
            for row in figure_rows(bilan):
                figures.add(row)
        finally:
            figures.close()
        codes = option_codes()
        for name, seen in actions.seen.items():  # a code of a list no contract type names any more stays valid
            option = next(f.options for f in ACTION_FIELDS if f.name == name)
            codes[option] = codes.get(option, set()) | seen
        schemas = {"actions": table_schema(ACTION_FIELDS, codes), "figures": table_schema(FIGURE_FIELDS)}
        _write_json(work / "schema.json", schemas["actions"])
        _write_json(work / "schema-figures.json", schemas["figures"])
        package = {
            "name": f"pilotactions-{year}",
            "title": f"Pilot'actions — actions et bilan {year} des contrats locaux des solidarités",
            "description": f"Source : {source.describe()}.",
            "created": created.isoformat(timespec="seconds"),
            "licenses": [LICENCE],
            "resources": [
                _resource("actions", "actions.csv", "Actions", schemas["actions"]),
                _resource("figures", "figures.csv", "Figures du bilan", schemas["figures"]),
            ],
            "pilotactions": {
                "year": year,
                "campaign": source.campaign.pk if source.campaign else None,
                "source": source.describe(),
                "actions": actions.rows,
                "figures": figures.rows,
            },
        }
        _write_json(work / "datapackage.json", package)
        (work / "README.md").write_text(
            readme(year, source, created, actions.rows, figures.rows, codes), encoding="utf-8"
        )
        sizes = {name: (work / name).stat().st_size for name in FILES}
        os.chmod(work, 0o755)
        target = out / str(year)
        if target.exists():  # swap: the old publication is moved aside, the new one renamed in, the old removed
            old = Path(tempfile.mkdtemp(prefix=f".{year}-old-", dir=out))
            os.replace(target, old / "previous")
            os.replace(work, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Publication(year, target, source.describe(), actions.rows, figures.rows, sizes)


def _resource(name: str, path: str, title: str, schema: dict) -> dict:
    return {
        "name": name,
        "title": title,
        "path": path,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "header": True},
        "schema": schema,
    }


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def published(out: Path | str) -> list[dict]:
    """The publications found under `out`, latest year first: year, date, source and file sizes."""
    out = Path(out)
    result = []
    if not out.is_dir():
        return result
    for path in out.iterdir():
        if not (path.is_dir() and YEAR_DIR.match(path.name) and (path / "datapackage.json").is_file()):
            continue
        try:
            package = json.loads((path / "datapackage.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        files = [(name, (path / name).stat().st_size) for name in FILES if (path / name).is_file()]
        result.append(
            {
                "year": int(path.name),
                "created": datetime.fromisoformat(package["created"]),
                "source": package.get("pilotactions", {}).get("source", ""),
                "actions": package.get("pilotactions", {}).get("actions"),
                "files": files,
            }
        )
    return sorted(result, key=lambda p: -p["year"])
