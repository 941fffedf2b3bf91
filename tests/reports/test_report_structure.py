"""The report's published structure (introduction, chapters I, II and III in the published order with the methodology
box and « En synthèse », the DIPLP's conclusion), its computed introduction, named cases and « Champ : » lines."""

import io
import re
from datetime import datetime

import docx
import pytest
from django.utils import timezone

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.campaigns.enums import DossierState
from pilotactions.campaigns.models import Dossier
from pilotactions.core.models import AuditEvent
from pilotactions.measures.services import measures_reference_load
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.models import ReportText
from pilotactions.reports.outputs import report_html, write_report
from pilotactions.reports.report import report_build
from pilotactions.reports.services import report_text_save
from pilotactions.territories.models import Authority
from tests.factories import login, make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db

CHAPTER_I = "Chapitre I. Bilan des mesures nationales"
CHAPTER_II = "Chapitre II. Bilan des contrats locaux des solidarités"
CHAPTER_III = "Chapitre III. Bilan des pactes locaux des solidarités"
# The published order (bilan 2025): chapter I's budget table, then the dashboard; chapter II's parts.
PUBLISHED = [
    "Introduction",
    CHAPTER_I,
    "Crédits du Pacte des solidarités",
    "Tableau de bord du Pacte des solidarités",
    CHAPTER_II,
    "Présentation générale",
    "Encadré méthodologique",
    "Repères financiers",
    "Les actions des contrats locaux des solidarités",
    "Les bénéficiaires",
    "Avancement et exécution (campagne de suivi)",
    "En synthèse",
    CHAPTER_III,
    "Les crédits délégués et les pactes conclus",
    "La construction des pactes locaux",
    "Les actions des pactes locaux",
    "Ce que les pactes locaux ont apporté",
]


@pytest.fixture
def world():
    """Three contracts: the Nord (400 €, 300 € of them from third parties), the Gironde (50 €), the Métropole
    européenne de Lille (500 €, 100 € from third parties)."""
    nord, gironde, mel = make_contract("59"), make_contract("33"), make_contract("200093201")
    make_action(nord, title="N1", lines=[(2024, "state", "100"), (2024, "third_party", "300", "COF_07")])
    make_action(gironde, title="G1", lines=[(2024, "authority", "50")])
    make_action(mel, title="M1", lines=[(2024, "state", "200"), (2024, "authority", "200")])
    make_action(mel, title="M2", lines=[(2024, "third_party", "100", "COF_07")])
    return {"nord": nord, "gironde": gironde, "mel": mel}


def titles(document):
    return [section.title for section in document.sections]


def in_order(seen: list[str], expected: list[str]) -> bool:
    positions = [seen.index(title) for title in expected]
    return positions == sorted(positions)


def test_sections_follow_the_published_order_with_their_levels(world):
    document = report_build(Scope(year=2024))
    seen = titles(document)
    assert all(title in seen for title in PUBLISHED), seen
    assert in_order(seen, PUBLISHED)
    levels = {section.title: section.level for section in document.sections}
    assert [levels[t] for t in ["Introduction", CHAPTER_I, CHAPTER_II]] == [1, 1, 1]
    assert levels["Encadré méthodologique"] == levels["Repères financiers"] == levels["En synthèse"] == 2
    sections = {section.title: section for section in document.sections}
    # each figure under its section
    assert [f.id for f in sections["Crédits du Pacte des solidarités"].figures] == ["measures.budget"]
    assert "cls.budget.total" in [f.id for f in sections["Repères financiers"].figures]
    assert "cls.map.action_budget_mean" in [
        f.id for f in sections["Les actions des contrats locaux des solidarités"].figures
    ]
    assert not sections["Encadré méthodologique"].figures and sections["Encadré méthodologique"].kind == "box"
    assert sections["En synthèse"].bullets and sections["En synthèse"].kind == "synthesis"
    assert not sections[CHAPTER_I].figures and not sections["Introduction"].figures


def test_a_fiche_has_the_introduction_and_chapters_two_and_three_only(world):
    document = report_build(Scope(year=2024, departement="33"))
    seen = titles(document)
    assert seen[:3] == ["Introduction", CHAPTER_II, "Présentation générale"]
    assert seen.index(CHAPTER_III) > seen.index(CHAPTER_II)
    assert CHAPTER_I not in seen and "Conclusion" not in seen


def test_html_and_docx_print_the_structure(world):
    document = report_build(Scope(year=2024))
    page = report_html(document)
    headings = [(level, " ".join(text.split())) for level, text in re.findall(r"<h([234])[^>]*>(.*?)</h\1>", page)]
    chapters = [text for level, text in headings if level == "2"]
    assert chapters[0] == "Sommaire" and chapters[1:] == ["Introduction", CHAPTER_I, CHAPTER_II, CHAPTER_III]
    parts = [text for level, text in headings if level == "3" and text in PUBLISHED]
    assert in_order(parts, [t for t in PUBLISHED if t not in ("Introduction", CHAPTER_I, CHAPTER_II, CHAPTER_III)])
    assert '<section class="box">' in page and '<ul class="bullets">' in page
    assert ("4", "Budgets totaux des contrats locaux des solidarités") in headings  # figures one level below

    buffer = io.BytesIO()
    write_report(document, "docx", buffer)
    word = docx.Document(io.BytesIO(buffer.getvalue()))
    styled = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert styled[:4] == [
        ("Heading 1", "Introduction"),
        ("Heading 1", CHAPTER_I),
        ("Heading 2", "Crédits du Pacte des solidarités"),
        ("Heading 3", "Crédits du Pacte des solidarités par programme"),
    ]
    docx_titles = [text for _style, text in styled]
    assert in_order(docx_titles, PUBLISHED)
    assert ("Heading 2", "Encadré méthodologique") in styled
    quotes = [p.text for p in word.paragraphs if p.style.name == "Intense Quote"]
    assert quotes and quotes[0].startswith("L’analyse porte sur 3 contrats locaux des solidarités")
    assert [p.text for p in word.paragraphs if p.style.name == "List Bullet"] == document.sections[
        titles(document).index("En synthèse")
    ].bullets


def test_the_introduction_states_its_sources_and_dates(world):
    measures_reference_load()  # the 25 measures and the committee of 17 March 2025 (closed), period 2024
    campaign = make_campaign(name="Programmation 2024")
    validated = [
        timezone.make_aware(datetime(2025, 2, 3, 10)),
        timezone.make_aware(datetime(2025, 3, 7, 10)),
    ]
    dossiers = list(Dossier.objects.filter(campaign=campaign).order_by("pk"))
    for dossier, when in zip(dossiers, validated, strict=False):
        Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.VALIDATED, validated_at=when)
    intro = " ".join(report_build(Scope(year=2024)).sections[0].summary)
    assert "Il porte sur l’année 2024" in intro
    assert "3 contrats locaux des solidarités et 4 actions" in intro
    assert (
        "Le tableau de bord des mesures nationales, renseigné par les administrations pilotes des 25 mesures : "
        "valeurs arrêtées pour la période « 2024 », examinées par le comité de suivi du 17 mars 2025."
    ) in intro
    assert "Campagne « Programmation 2024 », ouverte du" in intro
    assert "2 dossiers validés (validés du 3 février 2025 au 7 mars 2025)" in intro

    # the spreadsheet's contents sheet holds the sources on one line
    from openpyxl import load_workbook

    buffer = io.BytesIO()
    write_report(report_build(Scope(year=2024)), "xlsx", buffer)
    sources = load_workbook(io.BytesIO(buffer.getvalue()))["Sommaire"]["A4"].value
    assert sources.startswith("Sources : Le tableau de bord des mesures nationales") and "2 dossiers validés" in sources

    # a campaign's report reads that campaign only
    scoped = " ".join(report_build(Scope(year=2024, campaign_id=campaign.pk)).sections[0].summary)
    assert "lus dans les dossiers validés de la campagne" in scoped and "2 dossiers validés" in scoped


def test_named_cases_come_from_the_data(world):
    document = report_build(Scope(year=2024))
    sections = {section.title: " ".join(section.summary) for section in document.sections}
    mel = Authority.objects.get(code="200093201").name
    gironde = Authority.objects.get(code="33").name
    nord = Authority.objects.get(code="59").name
    finances = sections["Repères financiers"]
    assert (
        f"le plus important ({mel}) atteint 500\u202f€, quand le plus modeste ({gironde}) s’élève à 50\u202f€"
        in finances
    )
    assert f"La part des financeurs tiers la plus élevée revient à {nord} : 75\u202f% du budget" in finances
    actions = sections["Les actions des contrats locaux des solidarités"]
    # mean budget of an action per département: the Gironde 50 €, the Nord (its contract and the MEL's) 900 / 3
    assert "De fortes disparités territoriales : le budget moyen d’une action va de 50\u202f€ (Gironde)" in actions
    assert "à 300\u202f€ (Nord) selon les départements" in actions
    methodology = sections["Encadré méthodologique"]
    assert "L’analyse porte sur 3 contrats locaux des solidarités et se fonde sur un total de 4 actions" in methodology
    assert "(50\u202f% issues des contrats départementaux, 50\u202f% des contrats métropolitains)" in methodology


def test_champ_lines_are_printed_where_the_publication_prints_one(world):
    document = report_build(Scope(year=2024))
    footers = {figure.id: figure.footer for figure in document.figures}
    champ = (
        "Champ : montants totaux des contrats locaux des solidarités 2024 (crédits de l’État, des collectivités et "
        "des financeurs tiers)"
    )
    for figure_id in ["cls.map.third_party_share", "cls.map.action_budget_mean"]:
        assert f"· {champ} · Base : " in footers[figure_id]
    assert "Champ" not in footers["cls.budget.total"]
    assert report_html(document).count(champ) == 2


def test_the_conclusion_is_printed_when_written_and_omitted_otherwise(world):
    assert "Conclusion" not in titles(report_build(Scope(year=2024)))
    admin = make_role(R.NATIONAL_ADMIN)
    report_text_save(admin, year=2024, kind="conclusion", text="   \n ")
    assert "Conclusion" not in titles(report_build(Scope(year=2024)))  # blank: still omitted
    report_text_save(
        admin, year=2024, kind="conclusion", text="Le Pacte est bien lancé.\r\n\r\nIl convient de l’évaluer."
    )
    document = report_build(Scope(year=2024))
    assert document.sections[-1].title == "Conclusion"
    assert document.sections[-1].summary == ["Le Pacte est bien lancé.", "Il convient de l’évaluer."]
    assert "Conclusion" not in titles(report_build(Scope(year=2025)))  # stored per report year
    assert "Conclusion" not in titles(report_build(Scope(year=2024, departement="59")))  # the national report's
    buffer = io.BytesIO()
    write_report(document, "docx", buffer)
    word = docx.Document(io.BytesIO(buffer.getvalue()))
    paragraphs = [(p.style.name, p.text) for p in word.paragraphs]
    index = paragraphs.index(("Heading 1", "Conclusion"))
    assert paragraphs[index + 1 : index + 3] == [
        ("Normal", "Le Pacte est bien lancé."),
        ("Normal", "Il convient de l’évaluer."),
    ]


def test_only_national_admins_edit_the_conclusion_and_readers_read_it(client, world):
    url = "/bilan/rapports/textes/2024/"
    admin = login(client, make_role(R.NATIONAL_ADMIN))
    assert url in client.get("/bilan/rapports/").content.decode()  # linked from the reports' list
    page = client.get(url)
    assert page.status_code == 200 and "Enregistrer la conclusion" in page.content.decode()
    response = client.post(url, {"text": "Une conclusion."})
    assert response.status_code == 302
    item = ReportText.objects.get(year=2024, kind="conclusion")
    assert item.text == "Une conclusion." and item.updated_by == admin.user
    event = AuditEvent.objects.get(verb="report_text_updated")
    assert event.data == {"text": "Une conclusion."} and event.target_id == str(item.pk)
    client.post(url, {"text": "Une autre conclusion."})
    history = client.get(url).content.decode()
    assert "Une conclusion." in history and "Une autre conclusion." in history  # its versions
    too_long = client.post(url, {"text": "a" * 20001})
    assert too_long.status_code == 200 and "au-delà des 20\u202f000 autorisés" in too_long.content.decode()
    assert ReportText.objects.get(pk=item.pk).text == "Une autre conclusion."
    assert client.post("/bilan/rapports/textes/1999/", {"text": "x"}).status_code == 200  # said, never a 500

    for kind, code in [(R.NATIONAL_READER, None), (R.DEPARTMENTAL_STATE, "33")]:
        login(client, make_role(kind, code))
        page = client.get(url)
        assert page.status_code == 200 and "Une autre conclusion." in page.content.decode()
        assert "Enregistrer la conclusion" not in page.content.decode() and "disabled" in page.content.decode()
        assert client.post(url, {"text": "Réécrite."}).status_code == 403
    login(client, make_role(R.AUTHORITY_EDITOR, "59"))
    assert client.get(url).status_code == 403  # the national report is the State's
    assert ReportText.objects.get(pk=item.pk).text == "Une autre conclusion."
    assert AuditEvent.objects.filter(verb="report_text_updated").count() == 2


def test_the_service_refuses_anyone_but_a_national_admin(world):
    from django.core.exceptions import PermissionDenied

    for kind, code in [(R.NATIONAL_READER, None), (R.REGIONAL, "32"), (R.AUTHORITY_EDITOR, "59")]:
        with pytest.raises(PermissionDenied):
            report_text_save(make_role(kind, code), year=2024, kind="conclusion", text="x")
    assert not ReportText.objects.exists()


def test_a_summary_without_its_data_says_nothing_rather_than_a_dash_or_zero(world):
    """No action has a nature and no authority funds a steering FTE in this world: no « dont — de nouvelles »,
    no « 0 collectivités financent »."""
    document = report_build(Scope(year=2024))
    actions = " ".join(
        " ".join(s.summary) for s in document.sections if s.title == "Les actions des contrats locaux des solidarités"
    )
    assert "dont —" not in actions and "0 collectivités" not in actions and "ETP dédié" not in actions
