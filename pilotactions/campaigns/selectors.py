"""Reads for the campaign screens: the cockpit counts in a fixed number of queries."""

from collections import Counter, defaultdict

from django.db.models import Avg, Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from pilotactions.core.pagination import narrow_page
from pilotactions.territories.models import Authority, territory_q

from . import quality
from .enums import EDITABLE_STATES, SENT_BACK_STATES, CampaignKind, DossierState, Transition, state_count_label
from .models import Campaign, Dossier, DossierComment, QualityFlag

# The map colours a département by its least advanced dossier.
MAP_CATEGORIES = {
    "draft": ("Au moins un dossier en brouillon", "#E4794A"),
    "returned": ("Au moins un dossier renvoyé", "#A558A0"),
    "reopened": ("Au moins un dossier rouvert", "#C3992A"),
    "submitted": ("Dossiers soumis, en attente de validation", "#6A6AF4"),
    "validated": ("Tous les dossiers validés", "#009081"),
}
PROGRESS_ORDER = [
    DossierState.DRAFT,
    DossierState.RETURNED,
    DossierState.REOPENED,
    DossierState.SUBMITTED,
    DossierState.VALIDATED,
]


def validated_snapshots(campaign_id: int):
    """The data of each validated dossier's latest snapshot — the one it was validated in —, one query for all."""
    dossiers = Dossier.objects.filter(campaign_id=campaign_id, state=DossierState.VALIDATED).order_by("pk")
    for dossier in dossiers.prefetch_related("snapshots"):
        snapshot = dossier.snapshots.first()  # ordered latest first: read from the prefetched rows
        if snapshot is not None:
            yield snapshot.data


def dossiers_visible(campaign: Campaign, role):
    return Dossier.objects.visible_to(role).filter(campaign=campaign)


def filtered(dossiers, filters: dict, *, survey: bool = False):
    """The cockpit's filters; a survey's dossiers are régions' (a département selects its région's)."""
    if survey:
        if filters.get("region"):
            dossiers = dossiers.filter(region__code=filters["region"])
        if filters.get("departement"):
            dossiers = dossiers.filter(region__departements__code=filters["departement"])
        if filters.get("state"):
            dossiers = dossiers.filter(state=filters["state"])
        return dossiers
    dossiers = dossiers.filter(
        territory_q("contract__authority", region=filters.get("region"), departement=filters.get("departement"))
    )
    if filters.get("contract_type"):
        dossiers = dossiers.filter(contract__contract_type__code=filters["contract_type"])
    if filters.get("state"):
        dossiers = dossiers.filter(state=filters["state"])
    return dossiers


def cockpit(campaign: Campaign, dossiers, now=None) -> dict:
    """Counts by state, by région and by département, the map's categories, overdue dossiers."""
    now = now or timezone.now()
    survey = campaign.kind == CampaignKind.ENQUETE
    if survey:
        # A région's dossier: counted in its région, and its state painted on each of its départements.
        rows = [
            {
                "state": row["state"],
                "contract__authority__region__code": row["region__code"],
                "contract__authority__region__name": row["region__name"],
                "contract__authority__departement__code": row["region__departements__code"],
                "contract__authority__departement__name": row["region__departements__name"],
                "n": row["n"],
            }
            for row in dossiers.values(
                "state", "region__code", "region__name", "region__departements__code", "region__departements__name"
            ).annotate(n=Count("id"))
        ]
    else:
        # Grouped by authority (a join on the contracts only), then placed with the authorities' territories.
        counts = dossiers.order_by().values("state", "contract__authority_id").annotate(n=Count("id"))
        places = authority_places({row["contract__authority_id"] for row in counts})
        rows = [{"state": row["state"], "n": row["n"], **places[row["contract__authority_id"]]} for row in counts]
    by_state = Counter()
    regions = defaultdict(Counter)
    departements = defaultdict(Counter)
    region_names, departement_names = {}, {}
    counted = set()  # a survey's rows repeat a région's dossier once per département: counted once
    for row in rows:
        state, n = row["state"], row["n"]
        region = row["contract__authority__region__code"]
        departement = row["contract__authority__departement__code"]
        region_names[region] = row["contract__authority__region__name"]
        departement_names[departement] = row["contract__authority__departement__name"]
        departements[departement][state] += n
        if survey and (region, state) in counted:
            continue
        counted.add((region, state))
        by_state[state] += n
        regions[region][state] += n
    total = sum(by_state.values())

    def line(code, name, counts):
        count = sum(counts.values())
        done = counts[DossierState.SUBMITTED] + counts[DossierState.VALIDATED]
        return {
            "code": code,
            "name": name,
            "total": count,
            "counts": [counts[state] for state in PROGRESS_ORDER],
            "completion": done * 100 / count if count else None,
            "validated": counts[DossierState.VALIDATED] * 100 / count if count else None,
        }

    map_values = {
        code: next(state for state in PROGRESS_ORDER if counts[state]) for code, counts in departements.items()
    }
    late = (
        dossiers.filter(state__in=EDITABLE_STATES)
        .filter(Q(extended_until__isnull=True, campaign__closes_at__lt=now) | Q(extended_until__lt=now))
        .select_related("contract__authority", "contract__contract_type", "region")
        .order_by("contract__reference", "region__name")
    )
    return {
        "total": total,
        "by_state": [(state, state_count_label(state, by_state[state]), by_state[state]) for state in PROGRESS_ORDER],
        "completion": (by_state[DossierState.SUBMITTED] + by_state[DossierState.VALIDATED]) * 100 / total
        if total
        else None,
        "validated_rate": by_state[DossierState.VALIDATED] * 100 / total if total else None,
        "regions": sorted((line(c, region_names[c], n) for c, n in regions.items()), key=lambda r: r["name"]),
        # A survey's dossiers are régions': no per-département table (the map paints each région's).
        "departements": []
        if survey
        else sorted((line(c, departement_names[c], n) for c, n in departements.items()), key=lambda r: r["code"]),
        "map_values": map_values,
        "flags_open": QualityFlag.objects.filter(dossier__in=dossiers, checked_at__isnull=True).count(),
        "late": list(late[:200]),
        "late_count": late.count(),
    }


def authority_places(ids) -> dict[int, dict]:
    """{authority id: its région and département codes and names}, under the keys the cockpit's rows use."""
    return {
        row["id"]: {f"contract__authority__{key}": value for key, value in row.items() if key != "id"}
        for row in Authority.objects.filter(id__in=ids).values(
            "id", "region__code", "region__name", "departement__code", "departement__name"
        )
    }


def territories(dossiers, *, survey: bool) -> list[tuple]:
    """The (région code, name, département code, name) the dossiers are in, for the cockpit's filters."""
    if survey:
        return list(
            dossiers.order_by()
            .values_list("region__code", "region__name", "region__departements__code", "region__departements__name")
            .distinct()
        )
    authorities = Authority.objects.filter(id__in=dossiers.order_by().values("contract__authority_id"))
    return list(
        authorities.order_by()
        .values_list("region__code", "region__name", "departement__code", "departement__name")
        .distinct()
    )


def dossier_page(dossiers, number):
    """A page of the dossier list, its comments and open quality flags counted for its dossiers only."""
    comments = (
        DossierComment.objects.filter(dossier=OuterRef("pk")).order_by().values("dossier").annotate(n=Count("id"))
    )

    open_flags = (
        QualityFlag.objects.filter(dossier=OuterRef("pk"), checked_at__isnull=True)
        .order_by()
        .values("dossier")
        .annotate(n=Count("id"))
    )

    def load(ids):
        return (
            Dossier.objects.filter(pk__in=ids)
            .select_related("contract__authority__region", "contract__contract_type", "region")
            .annotate(
                comment_count=Coalesce(Subquery(comments.values("n")), 0),
                flag_count=Coalesce(Subquery(open_flags.values("n")), 0),
            )
            .in_bulk()
        )

    return narrow_page(dossiers.order_by("contract__reference", "region__name"), number, load)


def latest_return(dossier):
    """Why a returned (or reopened) dossier is back with the authority: the latest return or reopening event,
    and the comment it left on an action, if it pointed at one. None unless the dossier is returned or reopened."""
    if dossier.state not in SENT_BACK_STATES:
        return None
    event = (
        dossier.events.filter(kind__in=[Transition.RETURN, Transition.REOPEN])
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if event is None:
        return None
    comment = (
        dossier.comments.filter(author=event.actor_id, text=event.comment, action__isnull=False)
        .select_related("action")
        .order_by("-created_at")
        .first()
        if event.kind == Transition.RETURN
        else None
    )
    return {"event": event, "reopened": event.kind == Transition.REOPEN, "action": comment.action if comment else None}


def quality_flags(dossiers, filters: dict):
    """The flags of these dossiers (already filtered by territory, type and state), by severity, rule and status."""
    flags = QualityFlag.objects.filter(dossier__in=dossiers)
    if filters.get("severity"):
        flags = flags.filter(severity=filters["severity"])
    if filters.get("code"):
        flags = flags.filter(code=filters["code"])
    status = filters.get("status") or "ouverts"
    if status == "ouverts":
        flags = flags.filter(checked_at__isnull=True)
    elif status == "verifies":
        flags = flags.filter(checked_at__isnull=False)
    return flags.select_related(
        "dossier__contract__authority__region", "dossier__contract__authority__departement", "action", "checked_by"
    ).order_by("dossier__contract__reference", "action__number", "code", "id")


def authority_quality(dossiers) -> list[dict]:
    """Per authority: its dossiers' mean quality score and its open flags by severity (lowest score first)."""
    scores = (
        dossiers.filter(quality_score__isnull=False)
        .order_by()
        .values("contract__authority_id", "contract__authority__name", "contract__authority__code")
        .annotate(score=Avg("quality_score"), dossiers=Count("id"))
    )
    open_flags = Counter()
    for row in (
        QualityFlag.objects.filter(dossier__in=dossiers, checked_at__isnull=True)
        .order_by()
        .values("dossier__contract__authority_id", "severity")
        .annotate(n=Count("id"))
    ):
        open_flags[row["dossier__contract__authority_id"], row["severity"]] = row["n"]
    rows = [
        {
            "name": row["contract__authority__name"],
            "code": row["contract__authority__code"],
            "score": round(row["score"]),
            "dossiers": row["dossiers"],
            "open": [open_flags[row["contract__authority_id"], s] for s in quality.SEVERITY_ORDER],
        }
        for row in scores
    ]
    return sorted(rows, key=lambda r: (r["score"], r["name"]))
