"""The regional envelopes of the local pacts: the national amount of a year, the poverty indicator it
is shared by, the allocation per région, hand adjustments and the freeze (docs/pacts.md).

Every write takes the acting role keyword-only, checks `perms.can_manage_envelopes` inside its
transaction and claims `EnvelopeYear.version` with a conditional UPDATE (contracts' `_claim_version`):
two administrators adjusting or freezing at once never overwrite each other silently, the second one
gets a `ConcurrentEditError`.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from pilotactions.accounts.enums import NATIONAL_ROLES
from pilotactions.accounts.perms import require
from pilotactions.contracts.services import ConcurrentEditError, _claim_version
from pilotactions.core.audit import audit_event_record
from pilotactions.core.formats import euros, number
from pilotactions.territories.enums import Zone
from pilotactions.territories.models import Departement, Region

from . import perms
from .models import EnvelopeYear, PovertyIndicator, RegionalEnvelope

__all__ = [
    "ConcurrentEditError",
    "allocation_compute",
    "envelope_adjust",
    "envelope_year_freeze",
    "envelope_year_save",
    "envelope_year_unfreeze",
    "indicator_import",
]

DEMO_FILE = Path(__file__).resolve().parent / "data" / "indicateur-pauvrete-demo.csv"
FIRST_YEAR, LAST_YEAR = 2020, 2100
MAX_POOR_PEOPLE = 10_000_000  # no département comes close: a larger number is a typing error
MAX_ERRORS_SHOWN = 30

# Headers are compared without accents, case, spaces or punctuation (« Département » = « departement »).
DEPARTEMENT_HEADERS = {
    "departement",
    "dep",
    "code",
    "code_dep",
    "code_departement",
    "code_du_departement",
    "code_insee",
    "numero_departement",
    "num_departement",
}
POOR_HEADERS = {
    "personnes_sous_seuil",
    "personnes_sous_le_seuil",
    "personnes_sous_le_seuil_de_pauvrete",
    "nombre_de_personnes_sous_le_seuil_de_pauvrete",
    "nb_personnes_sous_seuil",
    "nombre_personnes_sous_seuil",
    "personnes_pauvres",
    "nombre_de_personnes_pauvres",
    "nombre_de_pauvres",
    "pauvres",
}


def can_read_all_envelopes(role) -> tuple[bool, str]:
    """The year's table of every région: national roles only (a région reads its own envelope)."""
    if role is not None and role.kind in NATIONAL_ROLES:
        return True, ""
    return False, "Seules la DIPLP et les administrations nationales consultent la répartition entre les régions."


# --- Allocation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    """A région's share of the year's national amount, as computed from the indicator."""

    region: Region
    poor_people: int  # the indicator summed over the région's départements
    weighted: Decimal  # the same, overseas départements multiplied by the uplift
    share: Decimal  # percent of the weighted total
    amount: Decimal  # whole euros; the amounts add up to the national amount exactly


def largest_remainder(amount: int, weights: dict[str, int]) -> dict[str, int]:
    """Share a whole `amount` by integer `weights` (keyed by a code): each key gets the floor of its
    quota, then the units left go one each to the largest remainders, ties to the smallest key.
    The shares add up to `amount` exactly; each is the floor or the ceiling of its exact quota."""
    total = sum(weights.values())
    if total <= 0:
        return dict.fromkeys(weights, 0)
    shares = {key: amount * weight // total for key, weight in weights.items()}
    remainders = {key: amount * weight % total for key, weight in weights.items()}
    left = amount - sum(shares.values())
    for key in sorted(weights, key=lambda k: (-remainders[k], k))[:left]:
        shares[key] += 1
    return shares


def allocation_compute(envelope_year: EnvelopeYear) -> list[Allocation]:
    """The computed allocation of the year (nothing is saved), one row per official région by code.

    weight(département) = indicator × uplift for an overseas département (zone DROM), × 1 otherwise;
    amount(région) = national amount × its weight / total weight, rounded down to the euro; the euros
    left go one each to the largest remainders, ties broken by région code, so the total is exact.
    Integer arithmetic throughout (the uplift in hundredths): no floating-point rounding.
    """
    regions = list(Region.objects.official().order_by("code"))
    uplift = int(envelope_year.overseas_uplift * 100)
    poor = dict.fromkeys((r.pk for r in regions), 0)
    weights = dict.fromkeys((r.pk for r in regions), 0)
    indicators = PovertyIndicator.objects.filter(envelope_year=envelope_year).values_list(
        "departement__region_id", "departement__zone", "poor_people"
    )
    for region_id, zone, poor_people in indicators:
        if region_id not in weights:
            continue
        poor[region_id] += poor_people
        weights[region_id] += poor_people * (uplift if zone == Zone.DROM else 100)
    total = sum(weights.values())
    if total == 0:
        return [Allocation(r, poor[r.pk], Decimal(0), Decimal(0), Decimal(0)) for r in regions]
    amounts = largest_remainder(int(envelope_year.national_amount), {r.code: weights[r.pk] for r in regions})
    floors = {r.pk: amounts[r.code] for r in regions}
    return [
        Allocation(
            region=r,
            poor_people=poor[r.pk],
            weighted=Decimal(weights[r.pk]) / 100,
            share=(Decimal(weights[r.pk]) * 100 / total).quantize(Decimal("0.01")),
            amount=Decimal(floors[r.pk]),
        )
        for r in regions
    ]


def allocation_difference(envelope_year: EnvelopeYear) -> Decimal:
    """The retained amounts' total minus the national amount (0 when they add up, as a freeze requires)."""
    total = envelope_year.regional_envelopes.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return total - envelope_year.national_amount


def _allocation_store(envelope_year: EnvelopeYear, role) -> list[str]:
    """Save the computed amounts; hand adjustments are dropped, and the warning says which ones."""
    existing = {e.region_id: e for e in envelope_year.regional_envelopes.select_related("region")}
    dropped = [e.region.name for e in existing.values() if e.amount != e.computed_amount or e.adjustment_reason]
    if not envelope_year.indicators.exists():
        return []
    for allocation in allocation_compute(envelope_year):
        envelope = existing.get(allocation.region.pk) or RegionalEnvelope(
            envelope_year=envelope_year, region=allocation.region
        )
        envelope.computed_amount = envelope.amount = allocation.amount
        envelope.adjustment_reason = ""
        envelope._history_user = role.user
        envelope.save()
    if not dropped:
        return []
    return [
        f"Les montants ont été recalculés : les ajustements manuels ({', '.join(sorted(dropped))}) ont été "
        "annulés. Ajustez à nouveau si besoin."
    ]


# --- The year: national amount and uplift --------------------------------------------------------


def _refuse_if_frozen(envelope_year: EnvelopeYear) -> None:
    if envelope_year.is_frozen:
        raise ValidationError(
            f"Les enveloppes {envelope_year.year} sont figées depuis le "
            f"{timezone.localtime(envelope_year.frozen_at):%d/%m/%Y à %H:%M} : elles ne peuvent plus être modifiées."
        )


def _check_year_values(year: int, national_amount: Decimal, overseas_uplift: Decimal) -> None:
    errors = {}
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = f"L’année doit être comprise entre {FIRST_YEAR} et {LAST_YEAR}."
    if national_amount is None or national_amount <= 0:
        errors["national_amount"] = "Le montant national doit être supérieur à zéro."
    elif national_amount != national_amount.to_integral_value():
        errors["national_amount"] = (
            "Le montant national s’exprime en euros entiers, sans centimes : la répartition est arrondie à l’euro."
        )
    if overseas_uplift is None or not Decimal("1") <= overseas_uplift <= Decimal("5"):
        errors["overseas_uplift"] = "La majoration outre-mer est un facteur compris entre 1,00 (aucune) et 5,00."
    elif overseas_uplift != overseas_uplift.quantize(Decimal("0.01")):
        errors["overseas_uplift"] = "La majoration outre-mer a deux décimales au plus (par exemple 1,25)."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def envelope_year_save(
    *, role, year: int, national_amount: Decimal, overseas_uplift: Decimal, expected_version: int | None = None
) -> tuple[EnvelopeYear, list[str]]:
    """Create the year (expected_version None) or change its amount and uplift; returns the year and
    the warnings to show (the hand adjustments a recomputation dropped)."""
    require(perms.can_manage_envelopes(role))
    _check_year_values(year, national_amount, overseas_uplift)
    if expected_version is None:
        if EnvelopeYear.objects.filter(year=year).exists():
            raise ValidationError({"year": f"Les enveloppes {year} existent déjà : ouvrez l’année pour la modifier."})
        envelope_year = EnvelopeYear(year=year, national_amount=national_amount, overseas_uplift=overseas_uplift)
        envelope_year._history_user = role.user
        envelope_year.save()
        audit_event_record(
            actor=role,
            verb="envelope_year_created",
            target=envelope_year,
            message=f"Enveloppes {year} des pactes locaux créées : {euros(national_amount)}.",
        )
        return envelope_year, []
    envelope_year = EnvelopeYear.objects.get(year=year)
    _claim_version(EnvelopeYear, envelope_year, expected_version)
    _refuse_if_frozen(envelope_year)
    changed = envelope_year.national_amount != national_amount or envelope_year.overseas_uplift != overseas_uplift
    old_amount, old_uplift = envelope_year.national_amount, envelope_year.overseas_uplift
    envelope_year.national_amount, envelope_year.overseas_uplift = national_amount, overseas_uplift
    envelope_year._history_user = role.user
    envelope_year.save()
    warnings = _allocation_store(envelope_year, role) if changed else []
    if changed:
        audit_event_record(
            actor=role,
            verb="envelope_year_updated",
            target=envelope_year,
            message=(
                f"Enveloppes {year} : montant national {euros(old_amount)} → {euros(national_amount)}, "
                f"majoration outre-mer {number(old_uplift, 2)} → {number(overseas_uplift, 2)}."
            ),
        )
    return envelope_year, warnings


# --- The poverty indicator file -------------------------------------------------------------------


def _header_key(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _rows_from_file(fileobj, file_name: str) -> list[tuple[int, list]]:
    """(line number, cells) of the first sheet or of the CSV, header included; blank lines left out."""
    content = fileobj.read()
    if isinstance(content, str):
        content = content.encode("utf-8")
    extension = Path(file_name or "").suffix.lower()
    if extension == ".xls":
        raise ValidationError(
            {"file": "Le format XLS (Excel 97-2003) n’est pas lu : enregistrez le fichier en XLSX ou en CSV."}
        )
    if extension == ".xlsx" or content.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(content)
    elif extension in ("", ".csv", ".txt"):
        rows = _csv_rows(content)
    else:
        raise ValidationError({"file": f"Format « {extension} » non reconnu : envoyez un fichier CSV ou XLSX."})
    return [(line, cells) for line, cells in rows if any(str(c).strip() for c in cells if c is not None)]


def _xlsx_rows(content: bytes):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [(index, list(values)) for index, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
        workbook.close()
    except Exception as error:  # a damaged or disguised file: openpyxl raises many kinds
        raise ValidationError(
            {"file": "Ce fichier XLSX est illisible : ouvrez-le dans votre tableur et enregistrez-le à nouveau."}
        ) from error
    return rows


def _csv_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            {
                "file": "Le fichier n’est pas encodé en UTF-8 : enregistrez-le au format « CSV UTF-8 » dans votre tableur."
            }
        ) from error
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if ";" in first else "\t" if "\t" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, cells) for cells in reader]
    except csv.Error as error:
        raise ValidationError({"file": f"Ligne {reader.line_num} : le CSV est mal formé ({error})."}) from error


def _departement_code(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    code = str(value if value is not None else "").strip().upper()
    return f"0{code}" if len(code) == 1 and code.isdigit() else code


def _poor_people(value) -> int | None:
    """The count, or None when it is not a whole number ≥ 0; « 12 345 », 12345.0 and « 12345,0 » are accepted."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = re.sub(r"[\s\u202f\xa0]", "", str(value or "")).replace(",", ".")
    try:
        number_value = Decimal(text)
    except InvalidOperation:
        return None
    if not number_value.is_finite() or number_value < 0 or number_value != number_value.to_integral_value():
        return None
    return int(number_value)


def _parse_indicator(rows: list[tuple[int, list]]) -> dict[str, int]:
    """{département code: people}; every error with its line and column, all of them at once."""
    if not rows:
        raise ValidationError({"file": "Le fichier est vide."})
    header_line, header = rows[0]
    keys = [_header_key(h) for h in header]
    dep_col = next((i for i, k in enumerate(keys) if k in DEPARTEMENT_HEADERS), None)
    poor_col = next((i for i, k in enumerate(keys) if k in POOR_HEADERS), None)
    if dep_col is None or poor_col is None:
        found = ", ".join(f"« {h} »" for h in header if h not in (None, "")) or "aucune"
        missing = " et ".join(
            f"« {name} »" for name, col in (("departement", dep_col), ("personnes_sous_seuil", poor_col)) if col is None
        )
        raise ValidationError(
            {
                "file": f"Ligne {header_line} : colonne {missing} introuvable. La première ligne doit nommer les "
                f"colonnes « departement » et « personnes_sous_seuil » (colonnes trouvées : {found})."
            }
        )
    dep_name, poor_name = str(header[dep_col]).strip(), str(header[poor_col]).strip()
    departements = {d.code: d for d in Departement.objects.official()}
    values: dict[str, int] = {}
    first_line: dict[str, int] = {}
    errors: list[str] = []
    for line, cells in rows[1:]:
        raw_code = cells[dep_col] if dep_col < len(cells) else None
        raw_value = cells[poor_col] if poor_col < len(cells) else None
        code = _departement_code(raw_code)
        if not code:
            errors.append(f"Ligne {line}, colonne « {dep_name} » : le code du département est vide.")
        elif code not in departements:
            errors.append(
                f"Ligne {line}, colonne « {dep_name} » : « {raw_code} » n’est pas le code INSEE d’un des "
                "101 départements (2A et 2B pour la Corse, 971 à 976 outre-mer)."
            )
        elif code in first_line:
            errors.append(
                f"Ligne {line}, colonne « {dep_name} » : le département {code} figure déjà ligne {first_line[code]}."
            )
        people = _poor_people(raw_value)
        if raw_value is None or str(raw_value).strip() == "":
            errors.append(f"Ligne {line}, colonne « {poor_name} » : le nombre de personnes est vide.")
        elif people is None:
            errors.append(
                f"Ligne {line}, colonne « {poor_name} » : « {raw_value} » n’est pas un nombre entier de personnes "
                "positif ou nul."
            )
        elif people > MAX_POOR_PEOPLE:
            errors.append(
                f"Ligne {line}, colonne « {poor_name} » : {number(people)} personnes, c’est plus que la population "
                "de tout département : vérifiez la valeur."
            )
        if code in departements and code not in first_line:
            first_line[code] = line
            if people is not None:
                values[code] = people
    absent = [d for code, d in departements.items() if code not in first_line]
    if absent:
        listed = ", ".join(f"{d.code} {d.name}" for d in absent[:20]) + (" …" if len(absent) > 20 else "")
        errors.append(f"{len(absent)} département(s) absent(s) du fichier : {listed}. Chacun doit y figurer une fois.")
    if not errors and sum(values.values()) == 0:
        errors.append("Le nombre de personnes est nul dans tous les départements : il n’y a rien à répartir.")
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(f"… et {len(errors) - MAX_ERRORS_SHOWN} autres erreurs.")
        raise ValidationError({"file": shown})
    return values


@transaction.atomic
def indicator_import(
    *,
    role,
    envelope_year: EnvelopeYear,
    fileobj,
    file_name: str,
    source: str,
    indicator_year: int,
    expected_version: int | None = None,
) -> list[str]:
    """Replace the year's indicator by the file's (checked whole first: nothing saved on an error) and
    recompute the allocation; returns the warnings to show. `expected_version` defaults to the version
    of the `envelope_year` given."""
    require(perms.can_manage_envelopes(role))
    _refuse_if_frozen(envelope_year)
    errors = {}
    source = (source or "").strip()
    if not source:
        errors["source"] = "Indiquez la source de l’indicateur (par exemple « Insee, Filosofi 2021 »)."
    elif len(source) > 255:
        errors["source"] = "La source tient en 255 caractères au plus."
    if indicator_year is None or not 1990 <= indicator_year <= envelope_year.year:
        errors["indicator_year"] = f"Le millésime de l’indicateur doit être compris entre 1990 et {envelope_year.year}."
    if errors:
        raise ValidationError(errors)
    values = _parse_indicator(_rows_from_file(fileobj, file_name))
    expected_version = envelope_year.version if expected_version is None else expected_version
    envelope_year = EnvelopeYear.objects.get(pk=envelope_year.pk)
    _claim_version(EnvelopeYear, envelope_year, expected_version)
    envelope_year.refresh_from_db()
    _refuse_if_frozen(envelope_year)
    departements = dict(Departement.objects.official().values_list("code", "pk"))
    PovertyIndicator.objects.filter(envelope_year=envelope_year).delete()
    PovertyIndicator.objects.bulk_create(
        PovertyIndicator(envelope_year=envelope_year, departement_id=departements[code], poor_people=people)
        for code, people in sorted(values.items())
    )
    envelope_year.indicator_source = source
    envelope_year.indicator_year = indicator_year
    envelope_year.indicator_file_name = Path(file_name or "").name[:255]
    envelope_year.indicator_imported_at = timezone.now()
    envelope_year._history_user = role.user
    envelope_year.save()
    warnings = _allocation_store(envelope_year, role)
    audit_event_record(
        actor=role,
        verb="envelope_indicator_imported",
        target=envelope_year,
        message=(
            f"Indicateur de pauvreté {indicator_year} importé ({envelope_year.indicator_file_name}, source : "
            f"{source}) : {number(sum(values.values()))} personnes dans {len(values)} départements."
        ),
        data={"file_name": envelope_year.indicator_file_name, "total": sum(values.values())},
    )
    return warnings


# --- Adjustments and freeze -----------------------------------------------------------------------


@transaction.atomic
def envelope_adjust(
    *, role, envelope: RegionalEnvelope, amount: Decimal, reason: str, expected_version: int
) -> RegionalEnvelope:
    """Set a région's retained amount by hand (a reason is required unless it is the computed amount).
    `expected_version` is the year's version: any change to the year since it was loaded refuses it."""
    require(perms.can_manage_envelopes(role))
    envelope_year = EnvelopeYear.objects.get(pk=envelope.envelope_year_id)
    _claim_version(EnvelopeYear, envelope_year, expected_version)
    envelope_year.refresh_from_db()
    _refuse_if_frozen(envelope_year)
    envelope.refresh_from_db()
    reason = (reason or "").strip()
    if amount is None or amount < 0:
        raise ValidationError({"amount": "Le montant retenu ne peut pas être négatif."})
    if amount != amount.to_integral_value():
        raise ValidationError({"amount": "Le montant retenu s’exprime en euros entiers, comme le montant calculé."})
    if amount != envelope.computed_amount and not reason:
        raise ValidationError({"reason": "Indiquez le motif de l’ajustement : il est conservé et visible."})
    old = envelope.amount
    envelope.amount = amount
    envelope.adjustment_reason = reason if amount != envelope.computed_amount else ""
    envelope._history_user = role.user
    envelope.save()
    envelope_year._history_user = role.user
    envelope_year.save()  # records the version taken in the history (changes_since)
    audit_event_record(
        actor=role,
        verb="regional_envelope_adjusted",
        target=envelope,
        message=f"Enveloppe {envelope_year.year} {envelope.region.name_with_article} : {euros(old)} → {euros(amount)}"
        + (f" (motif : {reason})." if envelope.adjustment_reason else " (montant calculé rétabli)."),
        data={"old": str(old), "new": str(amount), "reason": envelope.adjustment_reason},
    )
    return envelope


@transaction.atomic
def envelope_year_freeze(*, role, envelope_year: EnvelopeYear, expected_version: int) -> EnvelopeYear:
    """Freeze the year's envelopes: the commissioners see them, nobody changes them any more."""
    require(perms.can_manage_envelopes(role))
    envelope_year = EnvelopeYear.objects.get(pk=envelope_year.pk)  # the caller's copy stays as it was on a refusal
    _claim_version(EnvelopeYear, envelope_year, expected_version)
    envelope_year.refresh_from_db()
    _refuse_if_frozen(envelope_year)
    if not envelope_year.indicators.exists() or not envelope_year.regional_envelopes.exists():
        raise ValidationError("Importez l’indicateur de pauvreté avant de figer : aucune enveloppe n’est calculée.")
    difference = allocation_difference(envelope_year)
    if difference:
        total = envelope_year.national_amount + difference
        raise ValidationError(
            f"La somme des enveloppes régionales ({euros(total)}) "
            f"{'dépasse le' if difference > 0 else 'est inférieure au'} montant national "
            f"({euros(envelope_year.national_amount)}) de {euros(abs(difference))} : "
            "ajustez les enveloppes avant de figer."
        )
    envelope_year.frozen_at = timezone.now()
    envelope_year.frozen_by = role.user
    envelope_year._history_user = role.user
    envelope_year.save()
    audit_event_record(
        actor=role,
        verb="envelope_year_frozen",
        target=envelope_year,
        message=f"Enveloppes régionales {envelope_year.year} figées ({euros(envelope_year.national_amount)}).",
    )
    return envelope_year


@transaction.atomic
def envelope_year_unfreeze(*, role, envelope_year: EnvelopeYear, reason: str, expected_version: int) -> EnvelopeYear:
    """Unfreeze the year, with a reason kept in the audit log (a mistake found after the freeze)."""
    require(perms.can_manage_envelopes(role))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif : il est conservé dans le journal d’audit."})
    envelope_year = EnvelopeYear.objects.get(pk=envelope_year.pk)
    _claim_version(EnvelopeYear, envelope_year, expected_version)
    envelope_year.refresh_from_db()
    if not envelope_year.is_frozen:
        raise ValidationError(f"Les enveloppes {envelope_year.year} ne sont pas figées.")
    envelope_year.frozen_at = None
    envelope_year.frozen_by = None
    envelope_year._history_user = role.user
    envelope_year.save()
    audit_event_record(
        actor=role,
        verb="envelope_year_unfrozen",
        target=envelope_year,
        message=f"Enveloppes régionales {envelope_year.year} rouvertes (motif : {reason}).",
        data={"reason": reason},
    )
    return envelope_year
