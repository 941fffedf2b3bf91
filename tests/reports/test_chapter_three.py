"""Chapter III of the bilan on screen and in the reports (issue 16, « Screens and reports »): who reads the page,
its filters (the survey campaign, no contract type), its downloads, the national report's chapter III with its
computed sentences, the regional fiche beside the nation, and the pacts the DIPLP marks as illustrations."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns import surveys
from pilotactions.campaigns.models import Dossier
from pilotactions.campaigns.services import dossier_submit, dossier_validate
from pilotactions.core.models import AuditEvent
from pilotactions.pacts.enums import PactStatus
from pilotactions.pacts.models import Pact, SurveyAnswer
from pilotactions.pacts.services import pact_illustration_set
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.forms import BilanFilterForm, ReportRequestForm
from pilotactions.reports.outputs import report_html, write_report
from pilotactions.reports.report import report_build
from tests.factories import login, make_action, make_campaign, make_contract, make_role
from tests.reports.test_pact_figures import HDF, OCCITANIE, answer, pacts  # noqa: F401 -- the hand-built pacts
from tests.reports.test_printed_text import docx_text, html_text, odt_text, offending

pytestmark = pytest.mark.django_db

PAGE = "/bilan/chapitre/III/"
CHAPTER_III = "Chapitre III. Bilan des pactes locaux des solidarités"
PARTS = [
    "Les crédits délégués et les pactes conclus",
    "La construction des pactes locaux",
    "Les actions des pactes locaux",
    "Ce que les pactes locaux ont apporté",
]


@pytest.fixture
def world(pacts):  # noqa: F811
    Pact.objects.update(territory_kind="departement")  # the shared fixture's kind is not one of the choices
    make_action(make_contract("59"), title="Nord", lines=[(2024, "authority", "100")])
    return pacts


def validated_survey(monkeypatch):
    """The 2024 survey campaign, every région's dossier submitted and validated (two national admins)."""
    monkeypatch.setattr(surveys, "survey_problems", lambda region, year: [])
    campaign = make_campaign("enquete", name="Enquête 2024", types=())
    submitter, validator = make_role(R.NATIONAL_ADMIN), make_role(R.NATIONAL_ADMIN)
    for dossier in Dossier.objects.filter(campaign=campaign):
        dossier_submit(dossier=dossier, role=submitter)
        dossier_validate(dossier=Dossier.objects.get(pk=dossier.pk), role=validator)
    return campaign


# --- The page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code", "query", "status"),
    [
        (R.NATIONAL_ADMIN, None, {}, 200),  # the DIPLP
        (R.NATIONAL_READER, None, {}, 200),
        (R.REGIONAL, OCCITANIE, {"region": OCCITANIE}, 200),  # the commissioner, for the région
        (R.REGIONAL, OCCITANIE, {}, 200),  # the national figures: every State role, as for chapter II
        (R.DEPARTMENTAL_STATE, "59", {"departement": "59"}, 200),
        (R.AUTHORITY_EDITOR, "59", {}, 200),  # its own authority's figures
        (R.MEASURE_PILOT, "DGCS", {}, 200),  # national aggregates, as chapter II
    ],
)
def test_chapter_three_is_read_by_whom_reads_chapter_two(client, world, kind, code, query, status):
    login(client, make_role(kind, code))
    assert client.get(PAGE, query).status_code == status
    assert client.get("/bilan/chapitre/II/", query).status_code == status  # the same rule


@pytest.mark.parametrize(
    ("kind", "code", "query", "field", "fallback"),
    [
        (R.REGIONAL, OCCITANIE, {"region": HDF}, "region", {}),  # another région: not offered, nation instead
        (R.DEPARTMENTAL_STATE, "59", {"departement": "31"}, "departement", {}),
        (R.AUTHORITY_EDITOR, "59", {"region": OCCITANIE}, "region", {"authority": "59"}),  # back to its own
    ],
)
def test_another_territory_is_refused_on_its_field_as_for_chapter_two(
    client, world, kind, code, query, field, fallback
):
    login(client, make_role(kind, code))
    for url in (PAGE, "/bilan/chapitre/II/"):
        response = client.get(url, query)
        assert response.status_code == 200 and field in response.context["form"].errors
        scope = response.context["scope"]
        assert {k: v for k, v in scope.describe().items() if k in ("region", "departement", "authority")} == fallback


def test_who_may_read_a_region_scope():
    from pilotactions.reports.perms import can_read_scope

    commissioner = make_role(R.REGIONAL, OCCITANIE)
    assert can_read_scope(commissioner, Scope(region=OCCITANIE)) == (True, "")
    assert can_read_scope(commissioner, Scope(region=HDF)) == (False, "Ce territoire n’est pas dans votre périmètre.")
    assert can_read_scope(commissioner, Scope())[0]  # the national bilan: a State role
    assert not can_read_scope(make_role(R.AUTHORITY_EDITOR, "59"), Scope())[0]


def test_a_commissioner_reads_the_figures_of_the_region(client, world):
    login(client, make_role(R.REGIONAL, OCCITANIE))
    response = client.get(PAGE, {"region": OCCITANIE})
    html = response.content.decode()
    figures = {f["id"]: f for section in response.context["sections"] for f in section["figures"]}
    count = {r["key"]: r["values"]["ALL"] for r in figures["pl.pacts.count"]["rows"]}
    assert count["pacts"] == 1  # the Occitanie's one pact (its abandoned one is not counted)
    assert "Base : 1 pacte" in html and "Réponses à jour de l’enquête" in html


def test_the_page_draws_charts_tables_footers_and_the_region_map(client, world):
    login(client, make_role(R.NATIONAL_ADMIN))
    response = client.get(PAGE, {"complet": "1"})
    html = response.content.decode()
    for part in PARTS:
        assert part in html
    assert "Réunion des forces vives du territoire pour co-construire le pacte" in html
    assert 'role="img"' in html and "Source : Enquête auprès des CLP · Date : " in html
    figures = {f["id"]: f for section in response.context["sections"] for f in section["figures"]}
    assert figures["pl.forces_vives.meeting"]["table"]["columns"] == ["Ensemble"]  # one column: no contract type
    shapes = {
        el.get("data-code"): el.get("data-value")
        for el in ET.fromstring(figures["pl.credits.by_region"]["svg"]).iter()
        if el.get("data-code")
    }
    assert shapes[HDF] == "600" and shapes[OCCITANIE] == "400"
    assert {"01", "02", "03", "04", "06"} <= set(shapes)  # the overseas régions are drawn
    assert shapes["53"] == ""  # a région without an envelope: drawn, not filled
    assert "total" not in shapes


def test_the_filters_of_chapter_three(client, world):
    chapter_three = BilanFilterForm(chapter="III").fields
    assert "survey_campaign" in chapter_three and "contract_type" not in chapter_three
    assert "campaign" not in chapter_three  # the contract campaigns do not hold the pacts
    chapter_two = BilanFilterForm(chapter="II").fields
    assert "survey_campaign" not in chapter_two and "contract_type" in chapter_two
    suivi, survey = make_campaign(), make_campaign("enquete", types=())
    assert list(chapter_three["survey_campaign"].queryset) == [survey] and suivi.kind != survey.kind
    assert chapter_three["survey_campaign"].label == "Enquête auprès des CLP (données validées)"
    login(client, make_role(R.NATIONAL_ADMIN))
    html = client.get(PAGE).content.decode()
    assert 'name="survey_campaign"' in html and 'name="contract_type"' not in html
    assert 'name="survey_campaign"' not in client.get("/bilan/chapitre/II/").content.decode()


def test_the_survey_campaign_filter_reads_the_validated_answers(client, world, monkeypatch):
    campaign = validated_survey(monkeypatch)
    SurveyAnswer.objects.filter(pact=world[1], question__code="forces_vives_meeting").update(value="OUI")
    login(client, make_role(R.NATIONAL_ADMIN))

    def meeting(query):
        response = client.get(PAGE, query)
        figure = next(
            f for s in response.context["sections"] for f in s["figures"] if f["id"] == "pl.forces_vives.meeting"
        )
        return {r["key"]: round(r["values"]["ALL"]) for r in figure["rows"]}, response

    live, _ = meeting({})
    validated, response = meeting({"survey_campaign": campaign.pk})
    assert live == {"OUI": 100} and validated == {"OUI": 67, "NON": 33}  # as validated, before the change
    assert response.context["scope"].survey_campaign_id == campaign.pk
    assert "Réponses validées de l’enquête choisie" in response.content.decode()
    csv_text = client.get("/bilan/figures/pl.forces_vives.meeting.csv", {"survey_campaign": campaign.pk})
    rows = list(csv.reader(io.StringIO(csv_text.getvalue().decode().removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == ["Code", "Modalité", "Ensemble"] and rows[1][:2] == ["OUI", "Oui"]
    assert rows[1][2].startswith("66,6")
    # A survey of another year than the one asked is refused, said on the field (not a server error).
    refused = client.get(PAGE, {"year": 2025, "survey_campaign": campaign.pk})
    assert refused.status_code == 200 and "survey_campaign" in refused.context["form"].errors


def test_figure_downloads(client, world):
    login(client, make_role(R.REGIONAL, OCCITANIE))
    response = client.get("/bilan/figures/pl.credits.by_region.csv", {"region": OCCITANIE})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode().removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == ["Code", "Modalité", "Ensemble"]
    assert rows[1] == [OCCITANIE, "Occitanie", "400,00"] and rows[-1] == ["base", "Base", "1"]
    svg = client.get("/bilan/figures/pl.credits.by_region.svg", {"region": OCCITANIE})
    assert svg["Content-Type"].startswith("image/svg+xml") and svg.content.startswith(b"<svg")
    assert client.get("/bilan/figures/pl.pacts.count.svg").status_code == 404  # a table has no chart
    assert response["Content-Disposition"] == f'attachment; filename="pl.credits.by_region-2024-region-{OCCITANIE}.csv"'
    other = client.get("/bilan/figures/pl.credits.by_region.csv", {"region": HDF})  # not offered: refused, said why
    assert other.status_code == 400 and other.content.decode().startswith("Filtres refusés — Région : ")


# --- The report ----------------------------------------------------------------------------------


def sections_of(document) -> dict:
    return {section.title: section for section in document.sections}


def test_the_national_report_holds_chapter_three_with_computed_sentences(world):
    document = report_build(Scope(year=2024))
    titles = [section.title for section in document.sections]
    assert titles.index(CHAPTER_III) > titles.index("Chapitre II. Bilan des contrats locaux des solidarités")
    assert titles[titles.index(CHAPTER_III) + 1 : titles.index(CHAPTER_III) + 5] == PARTS
    texts = {title: " ".join(section.summary) for title, section in sections_of(document).items()}
    assert (
        "En 2024, 1\u202f000\u202f€ ont été délégués aux commissaires à la lutte contre la pauvreté pour la mise en "
        "œuvre des pactes locaux, répartis entre 2 régions." in texts[PARTS[0]]
    )
    assert (
        "Au total, 3 pactes locaux ont été conclus pour un budget moyen de 450\u202f000\u202f€, portant 4 actions."
        in (texts[PARTS[0]])
    )
    assert (
        "Les premiers pactes ont été finalisés en novembre 2024 ; fin janvier 2025, 2 pactes étaient finalisés."
        in (texts[PARTS[0]])
    )
    construction = texts[PARTS[1]]
    # 2 of the 3 pacts met; the Hauts-de-France (1 of 2) below the nation, named; the Occitanie (1 of 1) not.
    assert "67\u202f% des pactes locaux ont fait l’objet d’une réunion des forces vives." in construction
    assert "on trouve : Hauts-de-France (50\u202f%)." in construction
    assert (
        "« très bonne » ou « plutôt bonne »" in construction
        and "moins bonnes dans les régions suivantes : Hauts-de-France (50\u202f%)." in construction
    )
    assert "Dans 33\u202f% des pactes locaux, aucune réussite particulière n’a été identifiée" in construction
    assert "Il s’agit principalement des régions suivantes : Hauts-de-France (50\u202f%)." in construction
    assert "67\u202f% des pactes ont rencontré des difficultés" in construction
    actions = texts[PARTS[2]]
    assert (
        "Les actions visent 400 bénéficiaires ; 30 ont déjà été touchés, soit un taux d’atteinte de 8\u202f%."
        in actions
    )
    assert (
        "Le budget moyen d’une action s’élève à 26\u202f667\u202f€ (de 10\u202f000\u202f€ à 50\u202f000\u202f€)."
        in actions
    )
    assert "50\u202f% des actions sont cofinancées" in actions and "1 action n’a aucun cofinancement" in actions
    assert "« très » ou « plutôt » satisfaits du pacte local dans 100\u202f% des pactes" in texts[PARTS[3]]
    ids = {f.id for f in document.figures}
    assert {"pl.credits.by_region", "pl.forces_vives.meeting", "pl.actions.budget", "pl.contributions"} <= ids
    meeting = next(f for f in document.figures if f.id == "pl.forces_vives.meeting")
    assert meeting.columns == ["Ensemble"] and meeting.footer.endswith("Base : 3 pactes locaux · Traitement : DIPLP")
    introduction = " ".join(sections_of(document)["Introduction"].summary)
    assert "sur les pactes locaux" in introduction and "3 pactes locaux et 4 actions" in introduction


def test_a_regional_fiche_compares_chapter_three_with_the_nation(world):
    fiche = report_build(Scope(year=2024, region=HDF))
    assert fiche.title.startswith("Fiche Région Hauts-de-France — Bilan des contrats et pactes locaux")
    assert CHAPTER_III in [s.title for s in fiche.sections] and "Chapitre I. Bilan des mesures nationales" not in [
        s.title for s in fiche.sections
    ]
    meeting = next(f for f in fiche.figures if f.id == "pl.forces_vives.meeting")
    assert meeting.columns == ["Région Hauts-de-France", "France entière"]
    assert {row.key: row.cells for row in meeting.rows} == {
        "OUI": ["50,0\u202f%", "66,7\u202f%"],
        "NON": ["50,0\u202f%", "33,3\u202f%"],
    }
    assert "Base : 2 pactes locaux ; France entière : 3 pactes locaux" in meeting.footer
    contributions = {row.key: row.cells for row in next(f for f in fiche.figures if f.id == "pl.contributions").rows}
    assert contributions["APP_ACTIONS_INNOVANTES"] == ["0,0\u202f%", "50,0\u202f%"]  # none in the région: 0 %, said
    calendar = next(f for f in fiche.figures if f.id == "pl.calendar")  # cumulated: the région's total so far
    assert [(row.label, row.cells) for row in calendar.rows] == [
        ("novembre 2024", ["1", "1"]),
        ("janvier 2025", ["1", "2"]),
    ]
    occitanie = next(f for f in report_build(Scope(year=2024, region=OCCITANIE)).figures if f.id == "pl.calendar")
    assert [row.cells[0] for row in occitanie.rows] == ["0", "1"]  # nothing finalised before its first pact
    comparisons = {c.label: (c.local, c.national) for c in fiche.comparisons}
    assert comparisons["Pactes locaux conclus"] == ("2", "3")
    assert comparisons["Pactes ayant réuni les forces vives"] == ("50\u202f%", "67\u202f%")
    texts = {s.title: " ".join(s.summary) for s in fiche.sections}
    assert "50\u202f% des pactes locaux ont fait l’objet d’une réunion des forces vives." in texts[PARTS[1]]
    assert "on trouve" not in texts[PARTS[1]]  # one région: none named
    assert (
        "En 2024, le commissaire à la lutte contre la pauvreté de la région a disposé de 600\u202f€" in texts[PARTS[0]]
    )
    credits = next(f for f in fiche.figures if f.id == "pl.credits.by_region")  # its own row and the nation's total
    assert [(row.key, row.cells) for row in credits.rows] == [
        (HDF, ["600\u202f€", "600\u202f€"]),
        ("total", ["—", "1\u202f000\u202f€"]),
    ]


def test_every_format_prints_chapter_three_as_french_prose(world, tmp_path):
    illustrated = world[0]
    pact_illustration_set(pact=illustrated, role=make_role(R.NATIONAL_ADMIN), text="Un pacte qui a réuni la CAF.")
    documents = {"national": report_build(Scope(year=2024)), "fiche": report_build(Scope(year=2024, region=HDF))}
    for name, document in documents.items():
        text = html_text(document)
        assert CHAPTER_III in text and "Illustration — Pacte 1" in text and "Un pacte qui a réuni la CAF." in text
        assert offending(text) == [], name
        for fmt, read in (("docx", docx_text), ("odt", odt_text)):
            path = tmp_path / f"{name}.{fmt}"
            write_report(document, fmt, path)
            printed = read(path)
            assert CHAPTER_III in printed and "Un pacte qui a réuni la CAF." in printed, (name, fmt)
            assert "des pactes locaux ont fait l’objet d’une réunion des forces vives" in printed
            assert offending(printed) == [], (name, fmt)
    for fmt in ("xlsx", "ods"):
        path = tmp_path / f"bilan.{fmt}"
        write_report(documents["national"], fmt, path)
        assert path.stat().st_size > 0
    from openpyxl import load_workbook

    workbook = load_workbook(tmp_path / "bilan.xlsx")
    summary = [cell.value for row in workbook["Sommaire"].iter_rows() for cell in row if cell.value]
    assert "Réunion des forces vives du territoire pour co-construire le pacte" in summary
    assert "La construction des pactes locaux" in summary


# --- Illustrations -------------------------------------------------------------------------------


def test_the_diplp_marks_a_pact_as_an_illustration_and_the_report_prints_it(client, world):
    pact = world[2]  # Occitanie
    answer(pact, {"illustration": "Le pacte a financé une épicerie solidaire."})
    url = f"/pactes/{pact.reference}/"
    admin = login(client, make_role(R.NATIONAL_ADMIN))
    page = client.get(url)
    assert page.context["illustration_form"].initial["text"] == "Le pacte a financé une épicerie solidaire."
    assert "Illustrer le bilan avec ce pacte" in page.content.decode()
    # As a browser sends it: « \r\n » line endings.
    response = client.post(f"{url}illustration/", {"text": "Une épicerie solidaire\r\n\r\nà Toulouse."})
    assert response.status_code == 302 and response["Location"].endswith("#illustration")
    pact.refresh_from_db()
    assert pact.bilan_illustration == "Une épicerie solidaire\n\nà Toulouse."
    assert AuditEvent.objects.filter(verb="pact_illustration_marked", actor=admin.user).exists()
    assert pact.history.first().bilan_illustration == pact.bilan_illustration  # in the pact's history
    history = client.get(f"{url}historique/").content.decode()
    assert "illustration du bilan" in history.lower() and "à Toulouse." in history
    # The report prints a box after what the pacts brought: title, région, territory, the text's paragraphs.
    document = report_build(Scope(year=2024))
    titles = [s.title for s in document.sections]
    box = sections_of(document)["Illustration — Pacte 1"]
    assert titles.index("Illustration — Pacte 1") == titles.index(PARTS[3]) + 1
    assert box.kind == "box" and box.summary[0] == "Région Occitanie · Département — Haute-Garonne"
    assert box.summary[1:] == ["Une épicerie solidaire", "à Toulouse."]
    assert "Une épicerie solidaire" in report_html(document)
    # Only where the pact is counted: the Occitanie's fiche, not the Hauts-de-France's.
    assert "Illustration — Pacte 1" in [s.title for s in report_build(Scope(year=2024, region=OCCITANIE)).sections]
    assert "Illustration — Pacte 1" not in [s.title for s in report_build(Scope(year=2024, region=HDF)).sections]
    # The chapter III page shows it too.
    html = client.get(PAGE).content.decode()
    assert "Illustration — Pacte 1" in html and "à Toulouse." in html
    # An empty text unmarks it.
    client.post(f"{url}illustration/", {"text": "  "})
    pact.refresh_from_db()
    assert pact.bilan_illustration == "" and AuditEvent.objects.filter(verb="pact_illustration_unmarked").exists()
    assert "Illustration — Pacte 1" not in [s.title for s in report_build(Scope(year=2024)).sections]


def test_only_the_diplp_marks_an_illustration(client, world):
    pact = world[2]
    url = f"/pactes/{pact.reference}/"
    commissioner = login(client, make_role(R.REGIONAL, OCCITANIE))
    assert "Illustrer le bilan" not in client.get(url).content.decode()  # reads the pact, no form
    assert client.post(f"{url}illustration/", {"text": "Par le commissaire"}).status_code == 403
    login(client, make_role(R.NATIONAL_READER))
    assert client.post(f"{url}illustration/", {"text": "Par un lecteur"}).status_code == 403
    pact.refresh_from_db()
    assert pact.bilan_illustration == ""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        pact_illustration_set(pact=pact, role=commissioner, text="Par le service")


def test_an_abandoned_pact_cannot_illustrate_the_bilan(client, world):
    abandoned = Pact.objects.get(status=PactStatus.ABANDONED)
    login(client, make_role(R.NATIONAL_ADMIN))
    html = client.get(f"/pactes/{abandoned.reference}/").content.decode()
    assert "Illustrer le bilan" not in html
    response = client.post(f"/pactes/{abandoned.reference}/illustration/", {"text": "Abandonné"}, follow=True)
    assert "ne peut pas l’illustrer" in response.content.decode()
    abandoned.refresh_from_db()
    assert abandoned.bilan_illustration == ""


def test_the_report_request_form_offers_the_survey_campaign(client, world, monkeypatch):
    assert ReportRequestForm().initial.get("survey_campaign") is None  # no validated survey yet
    campaign = validated_survey(monkeypatch)
    make_campaign("enquete", name="Enquête 2024 bis", types=())  # later, nothing validated: not the default
    assert ReportRequestForm().initial["survey_campaign"] == campaign
    login(client, make_role(R.NATIONAL_ADMIN))
    html = client.get("/bilan/rapports/").content.decode()
    assert 'name="survey_campaign"' in html and f'value="{campaign.pk}" selected' in html


def test_a_year_without_pacts_says_so_once(client, world):
    login(client, make_role(R.NATIONAL_ADMIN))
    empty = client.get(PAGE, {"year": 2030}).content.decode()
    assert "Aucun pacte local en 2030 : les figures ci-dessous sont vides." in empty
    region = client.get(PAGE, {"region": "53"}).content.decode()  # Bretagne: no pact
    assert "Aucun pacte local en 2024 dans ce territoire : les figures ci-dessous sont vides." in region
    assert "Aucun pacte local en" not in client.get(PAGE).content.decode()
