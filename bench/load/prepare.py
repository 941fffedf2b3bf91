"""Prepare the load-test database for « the last day of a suivi campaign » and write the plan locust reads.

Run on the load database only (DEMO=true), after `migrate`, `load_demo` and `generate_data --actions 100000`:

    DEMO=true DATABASE_URL=postgres://…/loadtest .venv/bin/python bench/load/prepare.py --out var/load/plan.json

What it does (idempotent):
1. gives the open `suivi` campaign a dossier for every contract it concerns (`campaigns.services.dossiers_sync`:
   the generated contracts were created after the campaign opened);
2. creates, with one known password, the accounts of the scenario: for each of the 125 authorities one
   référent and three agents (saisie), one agent per departmental State service (DDETS, DEETS overseas), and
   ten DIPLP administrators — `<role>.<code>@charge.pilotactions.test`;
3. for the day's work, keeps per authority the first `--dossiers` draft dossiers of generated contracts
   (by reference) and fills the execution fields of all their actions but the last `--left` ones: on the last
   day most of the follow-up is already typed; the agents complete the rest, revise some, and submit;
4. writes the plan (accounts, dossiers, campaign) as JSON.

The demo's own dossiers and accounts are left as they are.
"""

import argparse
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "charge.pilotactions.test"
PASSWORD = "Charge-Cloture-2025"


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "var" / "load" / "plan.json"), help="Fichier du plan (JSON).")
    parser.add_argument("--dossiers", type=int, default=3, help="Dossiers du jour par collectivité (défaut : 3).")
    parser.add_argument("--editors", type=int, default=3, help="Agents de saisie par collectivité (défaut : 3).")
    parser.add_argument("--left", type=int, default=2, help="Actions encore à renseigner par dossier (défaut : 2).")
    args = parser.parse_args(argv)
    setup_django()

    from django.conf import settings

    if not settings.DEMO:
        print("prepare.py refuse de créer des comptes hors d’une base de démonstration (DEMO=true).", file=sys.stderr)
        return 2
    plan = prepare(dossiers_per_authority=args.dossiers, editors=args.editors, left=args.left)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(plan, indent=1, ensure_ascii=False))
    counts = (
        f"{len(plan['authorities'])} collectivités, "
        f"{sum(1 + len(a['editors']) for a in plan['authorities'])} comptes de collectivité, "
        f"{len(plan['states'])} agents de l’État, {len(plan['diplp'])} comptes DIPLP, "
        f"{sum(len(a['dossiers']) for a in plan['authorities'])} dossiers du jour"
    )
    print(f"Plan écrit dans {out} : {counts}.")
    return 0


def prepare(*, dossiers_per_authority: int, editors: int, left: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from pilotactions.accounts.enums import OrganisationKind, RoleKind
    from pilotactions.accounts.models import Organisation, Role, User
    from pilotactions.campaigns.enums import CampaignKind, DossierState
    from pilotactions.campaigns.models import Campaign, Dossier
    from pilotactions.campaigns.services import dossiers_sync
    from pilotactions.contracts.enums import ActionStatus
    from pilotactions.contracts.models import Action, ActionYear
    from pilotactions.contracts.signals import data_changed
    from pilotactions.nomenclatures.models import Option

    campaign = Campaign.objects.filter(kind=CampaignKind.SUIVI).order_by("-opens_at").first()
    if campaign is None:
        raise SystemExit("Aucune campagne de suivi : chargez d’abord la démonstration (load_demo).")
    password_hash = make_password(PASSWORD)  # one hash for every account: hashing 500 times would take minutes

    def account(local: str, first_name: str, last_name: str, kind: str, organisation) -> str:
        email = f"{local}@{DOMAIN}"
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": last_name, "password": password_hash}
        )
        if not created and user.password != password_hash:
            user.password = password_hash
            user.save(update_fields=["password"])
        Role.objects.get_or_create(user=user, kind=kind, organisation=organisation, is_active=True)
        return email

    with transaction.atomic():
        added = dossiers_sync(campaign)
        authorities = []
        generated_drafts = (
            Dossier.objects.filter(campaign=campaign, state=DossierState.DRAFT)
            .exclude(contract__reference__in=_demo_references())
            .select_related("contract")
            .order_by("contract__reference")
        )
        by_authority: dict[int, list] = {}
        for dossier in generated_drafts:
            by_authority.setdefault(dossier.contract.authority_id, []).append(dossier)
        for organisation in Organisation.objects.filter(kind=OrganisationKind.AUTHORITY).select_related("authority"):
            code = organisation.authority.code
            slug = code.lower()
            dossiers = by_authority.get(organisation.authority_id, [])[:dossiers_per_authority]
            if not dossiers:
                continue
            authorities.append(
                {
                    "code": code,
                    "name": organisation.name,
                    "departement": organisation.authority.departement.code
                    if organisation.authority.departement_id
                    else None,
                    "referent": account(
                        f"referent.{slug}", "Référent", code, RoleKind.AUTHORITY_REFERENT, organisation
                    ),
                    "editors": [
                        account(f"agent{n}.{slug}", f"Agent {n}", code, RoleKind.AUTHORITY_EDITOR, organisation)
                        for n in range(1, editors + 1)
                    ],
                    "dossiers": [d.pk for d in dossiers],
                }
            )
        states = []
        for organisation in Organisation.objects.filter(
            kind=OrganisationKind.DEPARTMENTAL_STATE, acronym__in=["DDETS", "DEETS"]
        ).select_related("departement"):
            code = organisation.departement.code.lower()
            states.append(
                {
                    "email": account(
                        f"ddets.{code}", "Agent", organisation.acronym, RoleKind.DEPARTMENTAL_STATE, organisation
                    ),
                    "departement": organisation.departement.code,
                }
            )
        diplp = Organisation.objects.get(kind=OrganisationKind.DIPLP)
        diplp_emails = [
            account(f"diplp{n}", "Chargé de mission", f"DIPLP {n}", RoleKind.NATIONAL_ADMIN, diplp)
            for n in range(1, 11)
        ]

        # The work already done before the last day: every action of the day's dossiers but the last `left`.
        filled = 0
        statuses = {}
        for entry in authorities:
            for dossier in Dossier.objects.filter(pk__in=entry["dossiers"]).select_related("contract__contract_type"):
                contract_type = dossier.contract.contract_type
                if contract_type.pk not in statuses:
                    statuses[contract_type.pk] = list(
                        Option.objects.of_list(contract_type.option_list_code("progress_status")).order_by("order")
                    )
                options = statuses[contract_type.pk]
                actions = list(
                    Action.objects.filter(contract=dossier.contract, status=ActionStatus.ACTIVE).order_by("number")
                )
                todo = actions[: max(len(actions) - left, 0)]
                for index, action in enumerate(todo):
                    year, _ = ActionYear.objects.get_or_create(action=action, year=campaign.year)
                    if year.assessment:
                        continue
                    year.progress_status = options[index % len(options)] if options else None
                    year.deployment_satisfactory = index % 3 != 0
                    year.spent_state = (year.planned_state or Decimal("0")) * Decimal("0.8")
                    year.spent_authority = (year.planned_authority or Decimal("0")) * Decimal("0.8")
                    year.beneficiaries_reached = 40 + index
                    year.assessment = "Suivi saisi avant la dernière journée de la campagne."
                    year.save()
                    filled += 1
                for action in actions[len(todo) :]:  # left for the day (a re-run starts the same)
                    ActionYear.objects.filter(action=action, year=campaign.year).update(
                        progress_status=None,
                        spent_state=None,
                        spent_authority=None,
                        spent_third_party=None,
                        assessment="",
                    )
    data_changed.send(sender=ActionYear, authority_ids=None)
    print(f"Campagne « {campaign} » : {added} dossier(s) ajouté(s) ; {filled} suivi(s) d’action pré-rempli(s).")
    return {
        "campaign": campaign.pk,
        "year": campaign.year,
        "password": PASSWORD,
        "authorities": authorities,
        "states": states,
        "diplp": diplp_emails,
        "regions": sorted(
            {
                r
                for r in Organisation.objects.filter(kind=OrganisationKind.REGIONAL_STATE).values_list(
                    "region__code", flat=True
                )
                if r
            }
        ),
    }


def _demo_references() -> set[str]:
    """The contracts of the demo itself (their dossiers go through the demo's own journeys)."""
    from pilotactions.campaigns.models import Dossier

    return set(
        Dossier.objects.filter(campaign__kind="programmation").values_list("contract__reference", flat=True)
    ) | set(Dossier.objects.exclude(state="draft").values_list("contract__reference", flat=True))


if __name__ == "__main__":
    sys.exit(main())
