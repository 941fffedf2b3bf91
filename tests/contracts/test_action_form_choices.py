"""An import validates each row with the action form given its lists read once (`ActionFormChoices`): the form must
accept and refuse exactly what it does when it reads them itself, and read nothing per row."""

import pytest

from pilotactions.contracts.forms import ActionForm, ActionFormChoices
from pilotactions.nomenclatures.models import Option
from pilotactions.territories.models import Commune, Epci
from tests.factories import make_action, make_contract, option

pytestmark = pytest.mark.django_db


def outcome(form):
    valid = form.is_valid()
    cleaned = {
        name: sorted(v.pk for v in value) if isinstance(value, list | tuple) or hasattr(value, "model") else value
        for name, value in getattr(form, "cleaned_data", {}).items()
        if name != "form_token"
    }
    cleaned = {k: getattr(v, "pk", v) for k, v in cleaned.items()}
    return valid, dict(form.errors), cleaned


def both(contract, data, action=None):
    read_itself = ActionForm(data=data, contract=contract, action=action)
    with_choices = ActionForm(data=data, contract=contract, action=action, choices=ActionFormChoices(contract))
    return outcome(read_itself), outcome(with_choices)


def test_the_same_answers_with_lists_read_once():
    contract = make_contract("59")
    axis1 = option("axes_pacte", "AXE1")
    list_of = contract.contract_type.option_list_code
    sub_of_axis1 = Option.objects.filter(option_list__code=list_of("subtheme"), parent=axis1).first()
    sub_of_other = Option.objects.filter(option_list__code=list_of("subtheme")).exclude(parent=axis1).first()
    publics = list(Option.objects.filter(option_list__code=list_of("target_publics"))[:2])
    nord = Commune.objects.filter(departement__code="59").first()
    gironde = Commune.objects.filter(departement__code="33").first()
    epci = Epci.objects.filter(communes__departement__code="59").first()
    base = {"title": "Action", "axis": str(axis1.pk)}
    cases = [
        base,
        {**base, "subtheme": str(sub_of_axis1.pk), "target_publics": [str(p.pk) for p in publics]},
        {**base, "subtheme": str(sub_of_other.pk)},  # a sub-theme of another axis
        {**base, "axis": str(option("axes_pacte", "AXE2").pk)},  # an axis not open to the CLS-D
        {**base, "axis": "999999"},
        {**base, "axis": "abc"},
        {**base, "target_publics": [str(publics[0].pk), "999999"]},
        {**base, "target_publics": [str(sub_of_axis1.pk)]},  # an option of another list
        {**base, "communes": [str(nord.pk)], "epcis": [str(epci.pk)]},
        {**base, "communes": [str(gironde.pk)]},  # outside the authority's territory
    ]
    for data in cases:
        read_itself, with_choices = both(contract, data)
        assert read_itself == with_choices, data
    assert both(contract, cases[1])[1][0] is True
    assert both(contract, cases[2])[1][0] is False


def test_a_retired_option_stays_valid_for_the_action_that_holds_it_only():
    contract = make_contract("59")
    public = Option.objects.filter(option_list__code=contract.contract_type.option_list_code("target_publics")).first()
    holder = make_action(contract, multi={"target_publics": [public]})
    Option.objects.filter(pk=public.pk).update(is_active=False)
    data = {"title": "Action", "axis": str(holder.axis_id), "target_publics": [str(public.pk)]}
    kept, kept_with_choices = both(contract, data, action=holder)
    assert kept == kept_with_choices and kept[0] is True
    refused, refused_with_choices = both(contract, data)
    assert refused == refused_with_choices and refused[0] is False


def test_a_form_given_its_lists_reads_nothing(django_assert_num_queries):
    contract = make_contract("59")
    choices = ActionFormChoices(contract)
    publics = list(Option.objects.filter(option_list__code=contract.contract_type.option_list_code("target_publics")))
    data = {"title": "Action", "axis": str(option("axes_pacte", "AXE1").pk), "target_publics": [str(publics[0].pk)]}
    with django_assert_num_queries(0):
        form = ActionForm(data=data, contract=contract, choices=choices)
        assert form.is_valid(), form.errors
