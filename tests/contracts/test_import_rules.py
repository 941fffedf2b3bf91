"""The import applies the form's and the services' rules (the same code, not a copy), the role's permissions,
matching on the previous tool's identifier through a mapping file, and says every error with line and column."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.services import system_role
from pilotactions.contracts.importing import import_file
from pilotactions.contracts.models import Action, Contract
from tests.factories import make_action, make_contract, make_role

pytestmark = pytest.mark.django_db

HEADER = (
    "contract_id,title,axis,subtheme,target_publics,beneficiaries_target,start_date,end_date,"
    "budget_state,budget_authority,budget_third_party,budget_total,third_party_financers"
)


def write(tmp_path, *rows, header=HEADER, name="actions.csv"):
    path = tmp_path / name
    path.write_text(header + "\n" + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def errors_of(path, role=None, **kwargs):
    result = import_file(path, role=role or system_role(), year=2024, **kwargs)
    return result, [str(error) for error in result.errors]


@pytest.fixture
def contract():
    return make_contract("59", envelopes={2024: "1000"})


def row(contract, **cells):
    values = {
        "contract_id": contract.reference,
        "title": "Action importée",
        "axis": "AXE1",
        "subtheme": "",
        "target_publics": "",
        "beneficiaries_target": "",
        "start_date": "",
        "end_date": "",
        "budget_state": "",
        "budget_authority": "",
        "budget_third_party": "",
        "budget_total": "",
        "third_party_financers": "",
    }
    values.update(cells)
    return ",".join(f'"{v}"' if ("," in v or ";" in v) else v for v in values.values())


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # The form's own checks (forms.ActionForm, forms.AmountField).
        ({"title": ""}, "ligne 2, colonne « Intitulé » : Ce champ est obligatoire."),
        (
            {"title": "x" * 256},
            "ligne 2, colonne « Intitulé » : Assurez-vous que cette valeur comporte au plus 255 caractères",
        ),
        ({"axis": ""}, "ligne 2, colonne « Axe » : Ce champ est obligatoire."),
        ({"axis": "AXE2"}, "ligne 2, colonne « Axe » : Sélectionnez un choix valide"),  # not open to CLS-D
        ({"subtheme": "A3_EXPULSIONS"}, "ligne 2, colonne « Sous-thématique » : Sélectionnez un choix valide"),
        (
            {"beneficiaries_target": "-3"},
            "ligne 2, colonne « Bénéficiaires visés » : Le nombre ne peut pas être négatif.",
        ),
        (
            {"beneficiaries_target": "12,5"},
            "ligne 2, colonne « Bénéficiaires visés » : « 12,5 » n’est pas un nombre entier.",
        ),
        ({"budget_state": "-10"}, "ligne 2, colonne « Crédits de l’État (€) » : Le montant ne peut pas être négatif."),
        ({"budget_state": "10,123"}, "ligne 2, colonne « Crédits de l’État (€) » : Deux décimales au plus (centimes)."),
        (
            {"budget_state": "200 000 000"},
            "ligne 2, colonne « Crédits de l’État (€) » : Ce montant dépasse le plafond plausible",
        ),
        # The services' rules (rules.check_action through action_create).
        (
            {"start_date": "31/12/2023"},
            "ligne 2, colonne « Date de début » : La date de début (31/12/2023) doit être comprise dans la période du contrat (2024-2027).",
        ),
        (
            {"start_date": "01/06/2025", "end_date": "01/01/2025"},
            "ligne 2, colonne « Date de fin » : La date de fin (01/01/2025) précède la date de début (01/06/2025).",
        ),
        (
            {"budget_third_party": "100"},
            "ligne 2, colonne « Crédits de l’année » : Ligne de financement n° 1 (2024) : précisez le type de financeur tiers",
        ),
        # The import's reading of the cells.
        (
            {"target_publics": "jeunes 18-30"},
            "ligne 2, colonne « Publics cibles » : « jeunes 18-30 » n’est pas dans la liste ; vouliez-vous dire « public jeune (18-30 ans) »",
        ),
        (
            {"start_date": "le 3 mars"},
            "ligne 2, colonne « Date de début » : « le 3 mars » n’est pas une date (jj/mm/aaaa, par exemple 03/02/2025).",
        ),
        (
            {"budget_state": "100", "budget_total": "150"},
            "ligne 2, colonne « Budget total (€) » : 150,00\u202f€ n’est pas la somme",
        ),
    ],
)
def test_each_rule_is_enforced_with_line_and_column(tmp_path, contract, cells, expected):
    result, errors = errors_of(write(tmp_path, row(contract, **cells)))
    assert any(error.startswith(expected) for error in errors), errors
    assert not result.ok and not Action.objects.exists()


def test_every_error_of_every_row_is_reported_in_one_run(tmp_path, contract):
    path = write(
        tmp_path,
        row(contract, title="Bonne ligne"),
        row(contract, axis="AXE9", start_date="demain"),
        row(contract, budget_state="-1", target_publics="zzz"),
    )
    result, errors = errors_of(path, dry_run=True)
    assert sorted(error.split(" : ")[0] for error in errors) == [
        "ligne 3, colonne « Axe »",
        "ligne 3, colonne « Date de début »",
        "ligne 4, colonne « Crédits de l’État (€) »",
        "ligne 4, colonne « Publics cibles »",
    ]
    assert result.contracts[0].refused == 3


def test_state_share_above_the_ceiling_is_flagged_and_the_envelope_warned(tmp_path, contract):
    result, errors = errors_of(write(tmp_path, row(contract, budget_state="2000", budget_authority="100")))
    assert result.ok, errors
    action = Action.objects.get()
    assert action.needs_state_review
    warnings = " ".join(result.contracts[0].warnings)
    assert "au-delà du plafond de 50" in warnings and "Justifiez ce dépassement" in warnings
    assert warnings.count("dépassent l’enveloppe annuelle du contrat") == 1
    # With the justification column, the justification is kept and the warning says the State is told.
    header = HEADER + ",ceiling_justification"
    path = write(
        tmp_path, row(contract, title="Autre", budget_state="2000") + ",Action pilote nationale", header=header
    )
    result, _errors = errors_of(path)
    assert Action.objects.get(title="Autre").ceiling_justification == "Action pilote nationale"
    assert "L’action est signalée au service de l’État" in " ".join(result.contracts[0].warnings)


def test_a_closed_contract_takes_no_import(tmp_path):
    closed = make_contract("59", status="not_signed", not_signed_reason="Refus", signature_date=None)
    _result, errors = errors_of(write(tmp_path, row(closed)))
    assert errors == [
        "ligne 2, colonne « Référence du contrat » : Ce contrat est « non signé » : ses actions ne se modifient plus."
    ]


def test_an_authority_agent_imports_only_into_its_own_contracts(tmp_path, contract):
    gironde = make_contract("33")
    agent = make_role(R.AUTHORITY_EDITOR, "59")
    path = write(
        tmp_path,
        row(contract, title="Chez nous"),
        row(gironde, title="Chez les autres"),
        row(contract, title="Nouveau contrat").replace(contract.reference, "CLS-D-2024-062", 1),
    )
    _result, errors = errors_of(path, role=agent)
    assert errors == [
        f"ligne 3, colonne « Référence du contrat » : Le contrat {gironde.reference} ne relève pas de votre périmètre.",
        "ligne 4, colonne « Référence du contrat » : Le contrat CLS-D-2024-062 n’existe pas ; pour le créer : "
        "Seuls la DIPLP et les services départementaux de l’État enregistrent les contrats.",
    ]
    assert Action.objects.filter(contract=contract, title="Chez nous").exists()  # its own contract: imported
    assert not Action.objects.filter(contract=gironde).exists()
    # A contract it may not create is refused with the reason.
    header = "contract_id,contract_type,authority_code,title,axis"
    path = write(tmp_path, "CLS-D-2024-062,CLS-D,62,Nouveau,AXE1", header=header, name="new.csv")
    _result, errors = errors_of(path, role=agent)
    assert errors == [
        "ligne 2, colonne « Référence du contrat » : Le contrat CLS-D-2024-062 n’existe pas ; pour le créer : "
        "Seuls la DIPLP et les services départementaux de l’État enregistrent les contrats."
    ]
    assert not Contract.objects.filter(reference="CLS-D-2024-062").exists()


def test_the_command_acts_as_the_named_person(tmp_path, contract):
    gironde = make_contract("33")
    agent = make_role(R.AUTHORITY_EDITOR, "59")
    path = write(tmp_path, row(gironde))
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_actions", str(path), "--as", agent.user.email, stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1
    assert "ne relève pas de votre périmètre" in err.getvalue()


MAPPING = """\
colonnes:
  "N° fiche": external_id
  "Libellé de l'action": Intitulé
  "Axe stratégique": axis
  "Type": contract_type
  "Département": authority_code
  "Montant État": budget_state
valeurs:
  axis:
    "Axe 1 - Enfance": AXE1
    "Axe 3 - Accès aux droits": AXE3
"""


def test_a_previous_tools_export_with_a_mapping_file_matched_on_its_identifier(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    header = "N° fiche;Libellé de l'action;Axe stratégique;Type;Département;Montant État"
    lines = [
        "F-001;Petits déjeuners à l’école;Axe 1 - Enfance;CLS-D;59;1 500,00 €",
        "F-002;Bus des droits;Axe 3 - Accès aux droits;CLS-D;59;",
    ]
    path = write(tmp_path, *lines, header=header)
    result, errors = errors_of(path, mapping_path=mapping)
    assert result.ok, errors
    assert result.contracts[0].new_contract
    first = Action.objects.get(external_id="F-001")
    assert first.title == "Petits déjeuners à l’école" and first.axis.code == "AXE1"
    assert first.years.get(year=2024).planned_state == Decimal("1500.00")
    # Again with a corrected title: matched on « N° fiche », updated, the other unchanged.
    path = write(tmp_path, lines[0].replace("Petits déjeuners", "Petits-déjeuners"), lines[1], header=header)
    result, errors = errors_of(path, mapping_path=mapping)
    assert (result.total("created"), result.total("updated"), result.total("unchanged")) == (0, 1, 1), errors
    changes = result.contracts[0].outcomes[0].changes
    assert [(c.label, c.old, c.new) for c in changes] == [
        ("Intitulé", "Petits déjeuners à l’école", "Petits-déjeuners à l’école")
    ]
    assert Action.objects.count() == 2


def test_a_concurrent_edit_between_read_and_write_is_not_overwritten(tmp_path, contract):
    action = make_action(contract, title="Avant")
    header = "action_id,contract_id,title,axis"
    path = write(tmp_path, f"{action.reference},{contract.reference},Après,AXE1", header=header)
    result, errors = errors_of(path)
    assert result.ok, errors
    action.refresh_from_db()
    assert action.title == "Après" and action.version == 2


def test_the_documented_mapping_example_loads():
    from pathlib import Path

    from pilotactions.contracts.importing import Mapping

    mapping = Mapping.load(Path(__file__).resolve().parents[2] / "docs" / "import-mapping-example.yaml")
    assert mapping.columns["n° fiche"] == "external_id"
    assert mapping.columns["libelle de l'action"] == "title"
    assert mapping.values["target_publics"]["jeunes"] == "AGE_JEUNE_18_30"


def test_a_new_contracts_period_from_its_columns(tmp_path):
    header = "contract_id,contract_type,authority_code,contract_start_year,contract_end_year,title,axis,start_date"
    path = write(tmp_path, "CONTRAT-NORD,CLS-D,59,2023,2028,Action,AXE1,01/02/2023", header=header)
    result, errors = errors_of(path)
    assert result.ok, errors
    assert Contract.objects.get(reference="CONTRAT-NORD").years == list(range(2023, 2029))
