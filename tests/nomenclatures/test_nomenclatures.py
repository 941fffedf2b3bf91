import pytest
from django.core.exceptions import ValidationError

from pilotactions.accounts.enums import RoleKind
from pilotactions.nomenclatures.models import Option, OptionList
from pilotactions.nomenclatures.services import (
    nomenclatures_load,
    option_create,
    option_set_active,
    option_update,
)
from tests.factories import make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_role():
    return make_role(RoleKind.NATIONAL_ADMIN)


def test_lists_loaded_with_reference_codes():
    assert OptionList.objects.count() == 38
    axes = set(Option.objects.of_list("axes_pacte").values_list("code", flat=True))
    assert {"AXE1", "AXE2", "AXE3", "AXE4"} <= axes
    assert Option.objects.of_list("types_actions_financees_cls").filter(code="TA_ETP_PILOTAGE").exists()
    assert Option.objects.of_list("etat_avancement_actions").filter(code="AV_ABANDONNEE").exists()


def test_every_subtheme_has_its_axis():
    subthemes = Option.objects.of_list("sous_thematiques_par_axe").select_related("parent__option_list")
    assert subthemes.count() == 20
    for subtheme in subthemes:
        assert subtheme.parent is not None, subtheme.code
        assert subtheme.parent.option_list.code == "axes_pacte"
        assert subtheme.code.startswith(subtheme.parent.code.replace("AXE", "A"))
    assert Option.objects.get(code="A2_FREINS_SOCIAUX").parent.code == "AXE2"


def test_loader_is_idempotent_and_keeps_admin_edits(admin_role):
    option = Option.objects.get(option_list__code="nature_action", code="NOUVELLE")
    option_update(option=option, role=admin_role, label="Action nouvelle")
    count = Option.objects.count()
    assert nomenclatures_load() == {"listes": 0, "options": 0}
    assert Option.objects.count() == count
    assert Option.objects.get(pk=option.pk).label == "Action nouvelle"


def test_rename_retire_and_add_are_versioned_and_traced(admin_role):
    option_list = OptionList.objects.get(code="cofinanceurs_cls")
    version = option_list.version
    caf = Option.objects.get(option_list=option_list, code="COF_07")

    option_update(option=caf, role=admin_role, label="Caisse d’allocations familiales (Caf)")
    option_set_active(option=caf, role=admin_role, is_active=False)
    added = option_create(option_list=option_list, code="cof_20", label="Banque des territoires", role=admin_role)

    option_list.refresh_from_db()
    assert option_list.version == version + 3
    assert added.code == "COF_20"
    caf.refresh_from_db()
    assert not caf.is_active
    assert caf.history.count() == 3  # created, renamed, retired
    assert [h.label for h in caf.history.order_by("history_date")][:2] == [
        "Caf",
        "Caisse d’allocations familiales (Caf)",
    ]
    # A retired option stays readable on old data but is no longer offered.
    assert Option.objects.get(code="COF_07", option_list=option_list).label.startswith("Caisse")
    assert not Option.objects.of_list("cofinanceurs_cls").active().filter(code="COF_07").exists()


def test_codes_are_unique_per_list(admin_role):
    option_list = OptionList.objects.get(code="nature_action")
    with pytest.raises(ValidationError):
        option_create(option_list=option_list, code="NOUVELLE", label="Doublon", role=admin_role)
