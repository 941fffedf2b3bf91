"""One territorial filter: "Département 83" selects the authorities covering the Var, everywhere."""

import pytest

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.selectors import filtered
from pilotactions.contracts.export import scope_filter
from pilotactions.contracts.models import Action
from pilotactions.contracts.selectors import contract_list
from pilotactions.reports.aggregates import Scope, live_actions
from pilotactions.reports.cube import scope_authorities
from pilotactions.territories.models import Authority
from tests.factories import make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db
AMP = "200054807"  # Métropole d'Aix-Marseille-Provence: seat in the Bouches-du-Rhône, covers the Var too


def test_a_departement_selects_the_authorities_covering_it_in_every_place():
    amp = Authority.objects.get(code=AMP)
    assert {d.code for d in amp.departements.all()} >= {"13", "83"} and amp.departement.code == "13"
    amp_contract, var_contract = make_contract(AMP), make_contract("83")
    make_contract("59")
    for contract in (amp_contract, var_contract):
        make_action(contract, lines=[(2024, "authority", "10")])
    expected = {amp_contract.reference, var_contract.reference}
    admin = make_role(R.NATIONAL_ADMIN)
    assert {c.reference for c in contract_list(admin, filters={"departement": "83"}, year=2024)} == expected
    campaign = make_campaign()
    dossiers = filtered(campaign.dossiers.all(), {"departement": "83"})
    assert {d.contract.reference for d in dossiers} == expected  # the cockpit used the seat: AMP was missing
    exported = scope_filter(Action.objects.all(), departement="83")
    assert {a.contract.reference for a in exported} == expected and exported.count() == 2
    cube = {code for _id, code in scope_authorities(Scope(year=2024, departement="83"))}
    assert {AMP, "83", "248300543"} == cube  # with Toulon Provence Méditerranée, seated in the Var
    assert {a.contract.reference for a in live_actions(Scope(year=2024, departement="83"))} == expected
