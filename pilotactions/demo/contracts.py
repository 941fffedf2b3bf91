"""A few signed contracts with real-looking actions, so that the demo accounts have something to see."""

from datetime import date
from decimal import Decimal

from pilotactions.accounts.models import Organisation
from pilotactions.contracts.models import Contract, ContractType
from pilotactions.contracts.rules import BudgetLineInput
from pilotactions.contracts.services import action_create, contract_create, envelope_set
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.models import Authority

DEMO_CONTRACTS = [
    # authority code, signing DDETS département, signature date, yearly State envelope
    ("59", "59", date(2024, 6, 21), "2600000"),
    ("33", "33", date(2024, 7, 4), "1350000"),
    ("200093201", "59", date(2024, 9, 12), "640000"),
    ("93", "93", date(2024, 7, 18), "2900000"),
]

DEMO_ACTIONS = {
    "59": [
        {
            "title": "Référents de parcours pour les familles monoparentales",
            "description": "Des référents de parcours accompagnent les parents isolés bénéficiaires du RSA vers "
            "l’emploi, la garde d’enfants et l’accès aux droits, en lien avec la Caf et France Travail.",
            "axis": "AXE1",
            "subtheme": "A1_PARENTALITE",
            "nature": "EXISTANTE_RENFORCEE",
            "scale": "ECH_DEPARTEMENTALE",
            "implementation": "MO_COLLECTIVITE",
            "qpv": "OUI_EN_PARTIE",
            "rural": "OUI_EN_PARTIE",
            "policy_fields": ["CAP_CLS_21", "CAP_CLS_18"],
            "action_types": ["TA_ETP_ACCOMPAGNEMENT"],
            "publics": ["PUB_PARENTS", "PUB_MINIMA_SOCIAUX"],
            "beneficiaries": 900,
            "budget": [("state", "420000"), ("authority", "420000"), ("third_party", "60000", "COF_07")],
        },
        {
            "title": "Bus des droits itinérant dans l’Avesnois",
            "description": "Un bus aménagé sillonne les communes rurales de l’Avesnois : accès aux droits, "
            "démarches en ligne et orientation vers les services sociaux.",
            "axis": "AXE3",
            "subtheme": "A3_REPERAGE_ALLER_VERS",
            "nature": "NOUVELLE",
            "scale": "ECH_BASSIN_VIE",
            "implementation": "MO_PARTAGEE",
            "qpv": "NON",
            "rural": "OUI_EXCLUSIVEMENT",
            "policy_fields": ["CAP_CLS_21", "CAP_CLS_11"],
            "action_types": ["TA_ALLER_VERS"],
            "publics": ["AGE_ADULTE_30P"],
            "beneficiaries": 2500,
            "budget": [("state", "150000"), ("authority", "150000")],
        },
    ],
    "33": [
        {
            "title": "Prévention des expulsions locatives : commission de coordination renforcée",
            "description": "Renfort de l’équipe de prévention des expulsions et visites à domicile dès le premier impayé.",
            "axis": "AXE3",
            "subtheme": "A3_EXPULSIONS",
            "nature": "EXISTANTE_RENFORCEE",
            "scale": "ECH_DEPARTEMENTALE",
            "implementation": "MO_COLLECTIVITE",
            "qpv": "OUI_EN_PARTIE",
            "rural": "OUI_EN_PARTIE",
            "policy_fields": ["CAP_CLS_20"],
            "action_types": ["TA_ETP_ACCOMPAGNEMENT"],
            "publics": ["PUB_RUE_MAL_LOGEMENT"],
            "beneficiaries": 600,
            "budget": [("state", "180000"), ("authority", "200000")],
        },
    ],
    "93": [
        {
            "title": "Maraudes sociales renforcées et mise à l’abri des familles à la rue",
            "description": "Deux équipes de maraude supplémentaires, en lien avec le SIAO, vont au-devant des "
            "familles avec enfants sans solution d’hébergement et organisent leur mise à l’abri.",
            "axis": "AXE3",
            "subtheme": "A3_REPERAGE_ALLER_VERS",
            "nature": "EXISTANTE_RENFORCEE",
            "scale": "ECH_DEPARTEMENTALE",
            "implementation": "MO_OPERATEUR_TIERS",
            "qpv": "OUI_EN_PARTIE",
            "rural": "NON",
            "policy_fields": ["CAP_CLS_09", "CAP_CLS_20"],
            "action_types": ["TA_ALLER_VERS"],
            "publics": ["PUB_RUE_MAL_LOGEMENT", "PUB_PARENTS"],
            "beneficiaries": 1200,
            "budget": [("state", "310000"), ("authority", "330000")],
        },
    ],
    "200093201": [
        {
            "title": "Épiceries solidaires et paniers de produits frais dans les quartiers prioritaires",
            "description": "Soutien à six épiceries solidaires de la métropole et distribution de paniers frais.",
            "axis": "AXE4",
            "subtheme": "A4_ALIMENTATION",
            "nature": "NOUVELLE",
            "scale": "ECH_COMMUNALE",
            "implementation": "MO_OPERATEUR_TIERS",
            "qpv": "OUI_EXCLUSIVEMENT",
            "rural": "NON",
            "policy_fields": ["CAP_CLS_16"],
            "action_types": ["TA_OFFRE_SERVICES"],
            "publics": ["PUB_MINIMA_SOCIAUX"],
            "beneficiaries": 3000,
            "budget": [("state", "90000"), ("authority", "90000"), ("third_party", "40000", "COF_05")],
        },
    ],
}


def _option(list_code, code):
    return Option.objects.get(option_list__code=list_code, code=code)


def demo_contracts_load() -> int:
    """Create the demo contracts and their actions if missing; returns how many contracts were created."""
    created = 0
    for authority_code, ddets_code, signed_on, envelope in DEMO_CONTRACTS:
        authority = Authority.objects.get(code=authority_code)
        if Contract.objects.filter(authority=authority).exists():
            continue
        contract_type = ContractType.objects.get(code="CLS-D" if authority.level == "departemental" else "CLS-M")
        contract = contract_create(
            acting_user=None,
            contract_type=contract_type,
            authority=authority,
            status="signed",
            signature_date=signed_on,
            signing_organisation=Organisation.objects.get(departement__code=ddets_code, acronym="DDETS"),
        )
        for year in contract.years:
            envelope_set(contract=contract, year=year, amount=Decimal(envelope), acting_user=None)
        for spec in DEMO_ACTIONS[authority_code]:
            action_create(
                contract=contract,
                acting_user=None,
                values={
                    "title": spec["title"],
                    "description": spec["description"],
                    "axis": _option("axes_pacte", spec["axis"]),
                    "subtheme": _option("sous_thematiques_par_axe", spec["subtheme"]),
                    "nature": _option("nature_action", spec["nature"]),
                    "scale": _option("echelle_deploiement_cls", spec["scale"]),
                    "implementation": _option("pilotage_actions_cls", spec["implementation"]),
                    "qpv_targeting": _option("ciblage_qpv_rural", spec["qpv"]),
                    "rural_targeting": _option("ciblage_qpv_rural", spec["rural"]),
                    "direct_impact": _option("impact_direct_usagers", "OUI"),
                    "beneficiaries_target": spec["beneficiaries"],
                    "start_date": date(2024, 9, 1),
                    "end_date": date(2027, 12, 31),
                },
                multi={
                    "policy_fields": [_option("champs_action_publique_cls", c) for c in spec["policy_fields"]],
                    "action_types": [_option("types_actions_financees_cls", c) for c in spec["action_types"]],
                    "target_publics": [_option("publics_cibles", c) for c in spec["publics"]],
                },
                budget_lines=[
                    BudgetLineInput(
                        year=year,
                        financer=line[0],
                        planned=Decimal(line[1]),
                        financer_type=_option("cofinanceurs_cls", line[2]) if len(line) > 2 else None,
                    )
                    for year in contract.years
                    for line in spec["budget"]
                ],
            )
        created += 1
    return created
