"""The open-data publication: a valid frictionless package, no personal data, CSV and Parquet alike, the command's
exit codes, the public page and its downloads, the regeneration when a campaign's last dossier is validated."""

import csv
import io
import json
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pilotactions.accounts.enums import RoleKind
from pilotactions.campaigns.services import dossier_submit, dossier_validate
from pilotactions.contracts.models import ActionYear
from pilotactions.opendata.columns import ACTION_FIELDS, FIGURE_FIELDS
from pilotactions.opendata.package import FILES, NothingToPublish, publish
from tests.factories import UserFactory, make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db

SECRET_NAME = "Bérénice Zanzibar-Quelconque"
SECRET_EMAIL = "berenice.zanzibar@exemple-perso.test"
SECRET_PHONE = "06 12 34 56 78"


@pytest.fixture
def out(tmp_path, settings):
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    return settings.OPEN_DATA_DIR


@pytest.fixture
def world():
    """Two contracts with actions carrying a person's name and e-mail in every free text, and the year's
    execution; a referent (that person) submits and an admin validates the Nord's dossier only."""
    nord, gironde = make_contract("59"), make_contract("33")
    personal = {
        "pilot_name": SECRET_NAME,
        "description": f"Contact : {SECRET_NAME}, {SECRET_EMAIL}, {SECRET_PHONE}",
        "objectives": f"Suivi par {SECRET_EMAIL}",
    }
    first = make_action(
        nord,
        title=f"Accompagnement piloté par {SECRET_NAME}",
        lines=[(2024, "state", "500"), (2024, "authority", "1000.50"), (2024, "third_party", "250", "COF_01")],
        **personal,
    )
    make_action(nord, title="Deuxième action", lines=[(2024, "state", "20"), (2024, "authority", "20")])
    make_action(gironde, title=f"Action de {SECRET_NAME}", lines=[(2024, "state", "30"), (2024, "authority", "30")])
    ActionYear.objects.filter(action=first, year=2024).update(
        deployment_satisfactory=True,
        beneficiaries_reached=42,
        spent_state=Decimal("900.25"),
        assessment=f"Bilan rédigé par {SECRET_NAME}",
        difficulties=f"Appeler {SECRET_PHONE} ou écrire à {SECRET_EMAIL}",
    )
    referent = make_role(
        RoleKind.AUTHORITY_REFERENT,
        "59",
        user=UserFactory(first_name="Bérénice", last_name="Zanzibar-Quelconque", email=SECRET_EMAIL),
    )
    admin, validator = make_role(RoleKind.NATIONAL_ADMIN), make_role(RoleKind.NATIONAL_ADMIN)
    campaign = make_campaign("suivi", types=("CLS-D",))
    return {
        "nord": nord,
        "gironde": gironde,
        "campaign": campaign,
        "referent": referent,
        "admin": admin,
        "validator": validator,
    }


def validate(world, contract):
    dossier = world["campaign"].dossiers.get(contract=contract)
    dossier_submit(dossier=dossier, role=world["referent"])  # the person whose name must not be published
    return dossier_validate(dossier=dossier.__class__.objects.get(pk=dossier.pk), role=world["validator"])


@pytest.fixture
def package(world, out):
    validate(world, world["nord"])
    return publish(2024, out)


def test_the_package_validates_with_frictionless(package):
    import frictionless

    report = frictionless.validate(str(package.path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    for name, schema in (("actions.csv", "schema.json"), ("figures.csv", "schema-figures.json")):
        schema = frictionless.Schema.from_descriptor(json.loads((package.path / schema).read_text(encoding="utf-8")))
        resource = frictionless.Resource(name, basepath=str(package.path), schema=schema)
        report = frictionless.validate(resource)
        assert report.valid and not report.flatten(["type"]), report.flatten(["rowNumber", "fieldName", "note"])
    assert sorted(p.name for p in package.path.iterdir()) == sorted(FILES)


def test_only_the_validated_dossiers_actions_are_published(package):
    rows = list(csv.DictReader(io.StringIO((package.path / "actions.csv").read_text(encoding="utf-8"))))
    assert package.actions == len(rows) == 2
    assert {row["contract_id"] for row in rows} == {package_contract(rows)}
    first = next(row for row in rows if row["budget_authority"] == "1000.50")
    assert first["budget_total"] == "1750.50" and first["third_party_financers"] == "COF_01"
    assert first["deployment_satisfactory"] == "true" and first["beneficiaries_reached"] == "42"
    assert first["spent_state"] == "900.25" and first["spent_authority"] == ""
    assert list(rows[0]) == [f.name for f in ACTION_FIELDS]


def package_contract(rows):
    return rows[0]["contract_id"]


def test_no_personal_data_in_any_file(package):
    for name in FILES:
        content = (package.path / name).read_bytes()
        if name.endswith(".parquet"):
            content = json.dumps(pq.read_table(package.path / name).to_pylist(), default=str).encode()
        text = content.decode("utf-8")
        for secret in (SECRET_NAME, "Zanzibar", SECRET_EMAIL, "exemple-perso", SECRET_PHONE, "Bérénice"):
            assert secret not in text, (name, secret)
    rows = list(csv.DictReader(io.StringIO((package.path / "actions.csv").read_text(encoding="utf-8"))))
    assert "title" not in rows[0] and "Deuxième action" not in (package.path / "actions.csv").read_text()


def test_the_csv_and_the_parquet_hold_the_same_rows(package):
    table = pq.read_table(package.path / "actions.parquet")
    types = {field.name: str(field.type) for field in table.schema}
    assert types["budget_state"] == "decimal128(16, 2)" and types["start_date"] == "date32[day]"
    assert types["beneficiaries_reached"] == "int64" and types["deployment_satisfactory"] == "bool"
    by_name = {f.name: f for f in ACTION_FIELDS}
    from_parquet = [{k: by_name[k].text(v) for k, v in row.items()} for row in table.to_pylist()]
    rows = list(csv.DictReader(io.StringIO((package.path / "actions.csv").read_text(encoding="utf-8"))))
    assert from_parquet == rows


def test_figures_are_the_bilan_json_in_long_format(package):
    bilan = json.loads((package.path / "figures.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((package.path / "figures.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == [f.name for f in FIGURE_FIELDS]
    count = next(f for f in bilan["figures"] if f["id"] == "cls.actions.count")
    assert {"figure_id": "cls.actions.count", "series": "ALL", "value": "2.0", "row_key": "total"}.items() <= next(
        r for r in rows if r["figure_id"] == "cls.actions.count" and r["series"] == "ALL"
    ).items()
    assert count["rows"][0]["values"]["ALL"] == 2
    values = [v for f in bilan["figures"] for r in f["rows"] for v in r["values"].values()]
    assert len(rows) == sum(1 for v in values if not isinstance(v, dict | list | str))  # texts: in the JSON only


def test_the_readme_and_schema_come_from_the_column_definitions(package):
    readme = (package.path / "README.md").read_text(encoding="utf-8")
    schema = json.loads((package.path / "schema.json").read_text(encoding="utf-8"))
    assert [f["name"] for f in schema["fields"]] == [f.name for f in ACTION_FIELDS]
    for field in ACTION_FIELDS + FIGURE_FIELDS:
        assert f"| `{field.name}` | {field.title} |" in readme
    axis = next(f for f in schema["fields"] if f["name"] == "axis")
    assert "AXE1" in axis["constraints"]["enum"]
    assert "pattern" in next(f for f in schema["fields"] if f["name"] == "target_publics")["constraints"]
    assert "`title`" in readme and "`pilot_name`" in readme  # the excluded columns, with their reason


def test_the_command_refuses_without_a_validated_campaign_and_publishes_live_on_request(world, out, capsys):
    with pytest.raises(NothingToPublish):
        publish(2024, out)
    with pytest.raises(CommandError, match="Aucun dossier validé pour 2024"):
        call_command("publish_open_data", "--year", "2024", "--out", str(out))
    with pytest.raises(CommandError, match="Aucune campagne n° 999999"):
        call_command("publish_open_data", "--year", "2024", "--campaign", "999999")
    with pytest.raises(CommandError, match="s’excluent"):
        call_command("publish_open_data", "--year", "2024", "--campaign", "1", "--live")
    assert not out.exists() or not any(out.iterdir())
    call_command("publish_open_data", "--year", "2024", "--out", str(out), "--live")
    assert "3 actions" in capsys.readouterr().err  # the live data: both contracts, nothing validated
    package = json.loads((out / "2024" / "datapackage.json").read_text(encoding="utf-8"))
    assert "non validées" in package["pilotactions"]["source"]


def test_the_command_exit_codes(world, out):
    """A refusal is a CommandError: `manage.py` exits with status 1 and the message on standard error."""
    with pytest.raises(CommandError) as refused:
        call_command("publish_open_data", "--year", "2024", "--out", str(out))
    assert refused.value.returncode == 1
    validate(world, world["nord"])
    call_command("publish_open_data", "--year", "2024", "--out", str(out))  # returns: exit status 0
    assert (out / "2024" / "actions.parquet").is_file()


def test_a_publication_replaces_its_year_and_keeps_the_others(package, out, world):
    (out / "2023").mkdir()
    (out / "2023" / "datapackage.json").write_text('{"created": "2024-01-31T10:00:00+00:00"}', encoding="utf-8")
    again = publish(2024, out)
    assert again.path == package.path and (out / "2023" / "datapackage.json").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["2023", "2024"]  # no temporary directory left


def test_the_public_page_lists_and_serves_the_files(package, client):
    response = client.get("/donnees-ouvertes/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Année 2024" in page and "/donnees-ouvertes/2024/actions.parquet" in page
    response = client.get("/donnees-ouvertes/2024/actions.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pilotactions-2024-actions.csv"'
    assert b"".join(response.streaming_content).startswith(b"action_id,contract_id,")
    response = client.get("/donnees-ouvertes/2024/actions.parquet")
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    response.close()
    home = client.get("/accounts/login/").content.decode()
    assert 'href="/donnees-ouvertes/"' in home  # the footer's link


@pytest.mark.parametrize(
    "url",
    [
        "/donnees-ouvertes/2031/actions.csv",  # an unpublished year
        "/donnees-ouvertes/2024/secret.txt",  # an unknown file
        "/donnees-ouvertes/2024/..%2F..%2Fsettings.py",
        "/donnees-ouvertes/2024/%2E%2E",
        "/donnees-ouvertes/../config/settings/base.py",
        "/donnees-ouvertes/2024/../../db.sqlite3",
    ],
)
def test_unknown_years_files_and_paths_are_french_404s(package, client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode() or "introuvable" in response.content.decode().lower()


def test_the_page_says_when_nothing_is_published(client, out):
    response = client.get("/donnees-ouvertes/")
    assert response.status_code == 200 and "Aucune donnée n’est encore publiée." in response.content.decode()


def test_validating_the_last_dossier_publishes_the_year(world, out, django_capture_on_commit_callbacks):
    campaign = make_campaign("suivi", types=("CLS-D",), name="Suivi 2024 bis")
    dossiers = list(campaign.dossiers.order_by("pk"))
    assert len(dossiers) == 2
    for dossier in dossiers:
        dossier_submit(dossier=dossier, role=world["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        dossier_validate(dossier=dossiers[0].__class__.objects.get(pk=dossiers[0].pk), role=world["validator"])
    assert not (out / "2024").exists()  # one dossier still waits
    with django_capture_on_commit_callbacks(execute=True):
        dossier_validate(dossier=dossiers[1].__class__.objects.get(pk=dossiers[1].pk), role=world["validator"])
    package = json.loads((out / "2024" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["pilotactions"]["campaign"] == campaign.pk and package["pilotactions"]["actions"] == 3


def test_the_user_documentation_names_every_column():
    from django.conf import settings

    from pilotactions.opendata.columns import EXCLUDED

    docs = (settings.BASE_DIR / "docs" / "open-data.md").read_text(encoding="utf-8")
    for name in [f.name for f in ACTION_FIELDS + FIGURE_FIELDS] + [name for name, _t, _w in EXCLUDED if name != "—"]:
        assert f"| `{name}` |" in docs, name
