"""The commissioners' survey (issue 15): questions as data, conditions, validation, prefill, concurrency,
permissions, completeness and snapshot. Pacts are built with the ORM (the pact services are elsewhere)."""

import datetime
import json
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilotactions.nomenclatures.models import Option
from pilotactions.pacts import guards
from pilotactions.pacts import survey as s
from pilotactions.pacts.enums import PactActionStatus, PactStatus, QuestionScope
from pilotactions.pacts.models import Pact, PactAction, SurveyAnswer, SurveyQuestion
from pilotactions.territories.models import Departement, Region
from tests.factories import login, make_role, option

pytestmark = pytest.mark.django_db

YEAR = 2024


@pytest.fixture(autouse=True)
def _open_survey(monkeypatch):
    """No campaign here: the campaigns' guard is replaced by an empty list (tests add their own)."""
    monkeypatch.setattr(guards, "SURVEY_GUARDS", [])


def make_pact(region_code="32", number=1, *, departements=("59",), **fields):
    region = Region.objects.get(code=region_code)
    fields.setdefault("title", f"Pacte local de test {number}")
    pact = Pact.objects.create(
        reference=f"PL-{region_code}-{YEAR}-{number:03d}",
        year=YEAR,
        region=region,
        territory_kind="communes",
        **fields,
    )
    pact.departements.set(Departement.objects.filter(code__in=departements))
    return pact


def make_pact_action(pact, number=1, **fields):
    return PactAction.objects.create(
        pact=pact, number=number, reference=f"{pact.reference}-A{number}", title=f"Action {number}", **fields
    )


def question(code):
    return SurveyQuestion.objects.get(code=code)


def save(role, pact, values, action=None):
    token = s.answers_token(pact, action, year=YEAR)
    return s.answers_save(role=role, pact=pact, action=action, year=YEAR, values=values, token=token)


@pytest.fixture
def commissioner():
    return make_role("regional", "32")


# --- Questions as data --------------------------------------------------------------------------


def test_load_is_idempotent_and_follows_the_file():
    specs = s.yaml.safe_load(s.DATA_FILE.read_text(encoding="utf-8"))["questions"]
    assert SurveyQuestion.objects.count() == len(specs)
    counts = s.survey_questions_load()
    assert counts == {"créées": 0, "mises à jour": 0, "inchangées": len(specs)}
    history = SurveyQuestion.history.count()
    s.survey_questions_load()
    assert SurveyQuestion.history.count() == history  # nothing rewritten
    q = question("forces_vives_meeting")
    assert q.option_list.code == "reunion_forces_vives" and q.kind == "single" and q.scope == "pact"
    assert question("actors_present").condition == {"question": "forces_vives_meeting", "in": ["OUI"]}
    assert question("successes").exclusive_option == "REU_AUCUNE"
    assert question("target_publics").form_field == "target_publics"


def test_a_retired_question_is_not_asked_and_a_new_one_is_added(tmp_path):
    document = s.yaml.safe_load(s.DATA_FILE.read_text(encoding="utf-8"))
    for spec in document["questions"]:
        if spec["code"] == "meeting_frequency":
            spec["last_year"] = YEAR
    document["questions"].append(
        {
            "code": "new_question_2025",
            "label": "Une question nouvelle en 2025 ?",
            "kind": "yes_no",
            "scope": "pact",
            "position": 200,
            "first_year": 2025,
        }
    )
    data_file = tmp_path / "questions.yaml"
    data_file.write_text(s.yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    counts = s.survey_questions_load(data_file=data_file)
    assert counts["créées"] == 1 and counts["mises à jour"] == 1
    codes_2024 = [q.code for q in s.questions_for(2024, QuestionScope.PACT)]
    codes_2025 = [q.code for q in s.questions_for(2025, QuestionScope.PACT)]
    assert "meeting_frequency" in codes_2024 and "meeting_frequency" not in codes_2025
    assert "new_question_2025" in codes_2025 and "new_question_2025" not in codes_2024


def test_load_refuses_an_unknown_list_or_a_condition_on_a_later_question(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "questions:\n- {code: q1, label: Q1, kind: single, scope: pact, list: inconnue, position: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="inconnue"):
        s.survey_questions_load(data_file=bad)
    bad.write_text(
        "questions:\n"
        "- {code: q1, label: Q1, kind: text, scope: pact, position: 5, condition: {question: q2, in: [OUI]}}\n"
        "- {code: q2, label: Q2, kind: yes_no, scope: pact, position: 9}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="placée avant"):
        s.survey_questions_load(data_file=bad)


def test_command_loads_the_questions():
    from io import StringIO

    out = StringIO()
    call_command("load_survey_questions", stdout=out)
    assert "0 créée, 0 mise à jour" in out.getvalue()


# --- Answer rules ---------------------------------------------------------------------------------


def test_actors_are_asked_only_after_a_meeting_and_cleared_when_switching_to_no(commissioner):
    pact = make_pact()
    q_present = question("actors_present")
    assert not s.is_asked(q_present, {})
    assert s.is_asked(q_present, {"forces_vives_meeting": "OUI"})
    # Sent together: the actors are ignored while no meeting is declared.
    save(commissioner, pact, {"forces_vives_meeting": "NON", "actors_present": ["AFV_CAF"]})
    assert not SurveyAnswer.objects.filter(pact=pact, question__code="actors_present").exists()
    save(commissioner, pact, {"forces_vives_meeting": "OUI", "actors_present": ["AFV_CAF", "AFV_DREETS"]})
    stored = SurveyAnswer.objects.get(pact=pact, question__code="actors_present", year=YEAR)
    assert stored.value == ["AFV_DREETS", "AFV_CAF"]  # in the list's order
    assert stored.answered_by == commissioner.user
    counts = save(commissioner, pact, {"forces_vives_meeting": "NON"})
    assert counts == {"enregistrées": 1, "effacées": 1}
    assert not SurveyAnswer.objects.filter(pact=pact, question__code="actors_present").exists()


def test_exclusive_option_must_be_alone(commissioner):
    pact = make_pact()
    with pytest.raises(ValidationError) as error:
        save(commissioner, pact, {"successes": ["REU_AUCUNE", "REU_COFINANCEMENT"]})
    message = error.value.message_dict["successes"][0]
    assert "Principales réussites de cette démarche de construction ?" in message
    assert "« Aucune réussite particulière » ne peut pas être cochée avec une autre réponse" in message
    save(commissioner, pact, {"successes": ["REU_AUCUNE"]})
    assert SurveyAnswer.objects.get(pact=pact, question__code="successes").value == ["REU_AUCUNE"]


def test_answers_out_of_their_list_are_refused_naming_the_question(commissioner):
    pact = make_pact()
    with pytest.raises(ValidationError) as error:
        save(commissioner, pact, {"comitology": "COMITO_INVENTEE", "construction_dynamics": "DYN_TRES_BONNE"})
    assert error.value.message_dict == {
        "comitology": [
            "Question « Dans quelle comitologie s’inscrit ce pacte local ? » : "
            "« COMITO_INVENTEE » ne fait pas partie des réponses possibles."
        ]
    }
    assert not SurveyAnswer.objects.filter(pact=pact).exists()  # nothing saved from a refused form
    with pytest.raises(ValidationError, match="une seule réponse"):
        s.answer_validate(question("comitology"), ["COMITO_DEDIEE", "COMITO_EXISTANTE"])
    with pytest.raises(ValidationError, match="ne fait pas partie"):
        s.answer_validate(question("difficulties"), ["DIFF_CALENDRIER", "DYN_TRES_BONNE"])


def test_numbers_dates_and_yes_no_are_checked():
    number = question("beneficiaries_target")
    with pytest.raises(ValidationError, match="positif ou nul"):
        s.answer_validate(number, "-3")
    with pytest.raises(ValidationError, match="n’est pas un nombre entier"):
        s.answer_validate(number, "12,5")
    assert s.answer_validate(number, "1 200") == 1200
    assert s.answer_validate(number, "0") == 0
    date = question("construction_started_on")
    assert s.answer_validate(date, "03/09/2024") == "2024-09-03"
    with pytest.raises(ValidationError, match="date valide"):
        s.answer_validate(date, "31/02/2024")
    assert s.answer_validate(question("targets_specific_public"), "oui") == "OUI"
    with pytest.raises(ValidationError, match="Oui"):
        s.answer_validate(question("targets_specific_public"), "peut-être")
    assert s.answer_validate(question("illustration"), "   ") is None


def test_form_held_answers_are_prefilled_and_not_asked_twice(client, commissioner):
    pact = make_pact(construction_started_on=datetime.date(2024, 9, 3))
    scale = option("echelle_geographique_pactes_locaux", _first_code("echelle_geographique_pactes_locaux"))
    public = option("publics_cibles", _first_code("publics_cibles"))
    action = make_pact_action(pact, targets_specific_public=True, scale=scale, beneficiaries_target=0)
    action.target_publics.set([public])
    values = s.current_values(pact, None, YEAR)
    assert values["construction_started_on"] == "2024-09-03"
    assert values["finalised_on"] is None
    action_values = s.current_values(pact, action, YEAR)
    assert action_values["targets_specific_public"] == "OUI"
    assert action_values["scale"] == scale.code
    assert action_values["target_publics"] == [public.code]
    assert action_values["beneficiaries_target"] == 0
    assert s.form_value(question("deployment_satisfactory"), action) is None
    # A form-held answer sent to the survey is ignored: the fiche holds it.
    save(commissioner, pact, {"construction_started_on": "2020-01-01"})
    assert not SurveyAnswer.objects.filter(pact=pact).exists()

    login(client, commissioner)
    page = client.get(f"/pactes/enquete/{YEAR}/pacte/{pact.reference}/").content.decode()
    assert "Déjà saisi dans la fiche" in page and "03/09/2024" in page
    assert f'href="/pactes/{pact.reference}/modifier/"' in page
    assert 'name="construction_started_on"' not in page  # not asked twice
    assert 'name="forces_vives_meeting"' in page
    assert "Si oui à la question « Une réunion pour co-construire" in page
    assert "« Aucune réussite particulière » se coche seule." in page
    assert 'data-pa-exclusive="REU_AUCUNE"' in page and "pacts/survey-exclusive" in page  # unticks the others
    page = client.get(f"/pactes/enquete/{YEAR}/action/{action.reference}/").content.decode()
    assert scale.label in page and public.label in page
    assert 'name="target_publics"' not in page and 'name="direct_impact"' in page
    assert f'href="/pactes/actions/{action.reference}/modifier/"' in page


def _first_code(list_code):
    from pilotactions.nomenclatures.models import Option

    return Option.objects.of_list(list_code).order_by("order").values_list("code", flat=True).first()


def test_concurrent_answers_are_refused_with_the_questions_changed(commissioner):
    pact = make_pact()
    other = make_role("regional", "32")
    token = s.answers_token(pact, year=YEAR)
    s.answers_save(role=other, pact=pact, year=YEAR, values={"comitology": "COMITO_DEDIEE"}, token=token)
    with pytest.raises(s.SurveyConflict) as error:
        s.answers_save(role=commissioner, pact=pact, year=YEAR, values={"comitology": "COMITO_EXISTANTE"}, token=token)
    assert error.value.changes == [
        {
            "code": "comitology",
            "label": "Dans quelle comitologie s’inscrit ce pacte local ?",
            "new": "Une comitologie dédiée",
        }
    ]
    assert SurveyAnswer.objects.get(pact=pact, question__code="comitology").value == "COMITO_DEDIEE"
    fresh = s.answers_token(pact, year=YEAR)
    s.answers_save(role=commissioner, pact=pact, year=YEAR, values={"comitology": "COMITO_EXISTANTE"}, token=fresh)
    assert SurveyAnswer.objects.get(pact=pact, question__code="comitology").value == "COMITO_EXISTANTE"


@pytest.mark.postgres  # real concurrent transactions; deselected on SQLite
@pytest.mark.django_db(transaction=True)
def test_two_people_answering_at_the_same_moment_one_wins_the_other_is_told():
    pact = make_pact()
    first, second = make_role("regional", "32"), make_role("regional", "32")
    token = s.answers_token(pact, year=YEAR)  # both opened the page before any answer
    barrier = threading.Barrier(2)
    results = {}

    def run(name, role, value):
        try:
            barrier.wait(timeout=10)
            s.answers_save(role=role, pact=pact, year=YEAR, values={"comitology": value}, token=token)
            results[name] = "ok"
        except s.SurveyConflict:
            results[name] = "conflict"
        except Exception as error:  # asserted below
            results[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("first", first, "COMITO_DEDIEE")),
        threading.Thread(target=run, args=("second", second, "COMITO_EXISTANTE")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["conflict", "ok"], results
    winner = "COMITO_DEDIEE" if results["first"] == "ok" else "COMITO_EXISTANTE"
    assert SurveyAnswer.objects.get(pact=pact, question__code="comitology").value == winner


def test_the_page_keeps_what_was_typed_on_a_conflict_and_on_a_bad_answer(client, commissioner):
    pact = make_pact()
    login(client, commissioner)
    url = f"/pactes/enquete/{YEAR}/pacte/{pact.reference}/"
    token = s.answers_token(pact, year=YEAR)
    save(make_role("regional", "32"), pact, {"construction_dynamics": "DYN_PLUTOT_BONNE"})
    response = client.post(url, {"token": token, "illustration": "Un texte saisi", "comitology": "COMITO_DEDIEE"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Quelqu’un a enregistré des réponses pendant que vous saisissiez" in page
    assert "Dynamique globale de la démarche de construction du pacte local" in page and "Plutôt bonne" in page
    assert "Un texte saisi" in page
    # The page now carries the fresh token: saving again applies on top.
    fresh = s.answers_token(pact, year=YEAR)
    assert f'value="{fresh}"' in page
    response = client.post(
        url, {"token": fresh, "illustration": "Un texte saisi", "comitology": "COMITO_DEDIEE", "successes": []}
    )
    assert response.status_code == 302
    assert SurveyAnswer.objects.get(pact=pact, question__code="illustration").value == "Un texte saisi"
    # The form answers with a message naming the question; what was typed stays.
    response = client.post(
        url,
        {
            "token": s.answers_token(pact, year=YEAR),
            "comitology": "INVENTEE",
            "successes": ["REU_AUCUNE", "REU_DYNAMIQUES"],
            "illustration": "Autre texte",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Question « Dans quelle comitologie s’inscrit ce pacte local ? » : « INVENTEE » ne fait pas partie des "
        "réponses possibles." in page
    )
    assert "Autre texte" in page
    # The exclusive option with another: the server's refusal names the question once.
    response = client.post(
        url,
        {"token": s.answers_token(pact, year=YEAR), "successes": ["REU_AUCUNE", "REU_DYNAMIQUES"]},
    )
    page = response.content.decode()
    assert "ne peut pas être cochée avec une autre réponse" in page
    summary = page.split("Les réponses n’ont pas été enregistrées")[1].split("</ul>")[0]
    assert summary.count("Principales réussites de cette démarche de construction ?") == 1


# --- Permissions ---------------------------------------------------------------------------------


def test_another_region_cannot_read_nor_answer(client, commissioner):
    pact = make_pact()
    action = make_pact_action(pact)
    stranger = make_role("regional", "11")
    login(client, stranger)
    for url in (
        f"/pactes/enquete/{YEAR}/pacte/{pact.reference}/",
        f"/pactes/enquete/{YEAR}/action/{action.reference}/",
        f"/pactes/enquete/{YEAR}/32/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"token": "v1;", "comitology": "COMITO_DEDIEE"}).status_code == 404
    with pytest.raises(PermissionDenied, match="votre région"):
        save(stranger, pact, {"comitology": "COMITO_DEDIEE"})
    assert not SurveyAnswer.objects.exists()
    assert client.get(f"/pactes/enquete/{YEAR}/11/").status_code == 200  # its own région, no pact


def test_readers_read_without_answering(client, commissioner):
    pact = make_pact(departements=("59",))
    save(commissioner, pact, {"comitology": "COMITO_EXISTANTE"})
    ddets = make_role("departmental_state", "59")
    login(client, ddets)
    url = f"/pactes/enquete/{YEAR}/pacte/{pact.reference}/"
    page = client.get(url).content.decode()
    assert "Une comitologie existante" in page and 'id="survey-form"' not in page
    assert client.post(url, {"token": "v1;", "comitology": "COMITO_DEDIEE"}).status_code == 403
    with pytest.raises(PermissionDenied):
        save(ddets, pact, {"comitology": "COMITO_DEDIEE"})
    login(client, make_role("departmental_state", "33"))
    assert client.get(url).status_code == 404
    login(client, make_role("measure_pilot"))
    assert client.get(url).status_code == 404
    assert client.get(f"/pactes/enquete/{YEAR}/32/").status_code == 404
    login(client, make_role("national_reader"))
    assert client.get(url).status_code == 200
    assert pact.reference in client.get(f"/pactes/enquete/{YEAR}/32/").content.decode()


def test_a_read_only_page_says_who_answers_and_lists_only_the_questions_asked(client, commissioner):
    pact = make_pact(departements=("59",), status=PactStatus.FINALISED)
    save(commissioner, pact, {"forces_vives_meeting": "NON", "comitology": "COMITO_DEDIEE"})
    login(client, make_role("departmental_state", "59"))
    page = client.get(f"/pactes/enquete/{YEAR}/pacte/{pact.reference}/").content.decode()
    assert "Lecture seule : seul le niveau régional de la région répond à l’enquête." in page
    assert "créent des pactes locaux" not in page
    # No meeting: the actors invited and present are not asked, so not listed; the comitology's follow-up neither.
    assert "Acteurs invités à la réunion des forces vives" not in page
    assert "Dans quelle comitologie existante" not in page
    assert "Dans quelle comitologie s’inscrit ce pacte local ?" in page  # asked, answered
    assert "Qu’a apporté le pacte local sur le territoire ?" in page  # asked, not answered yet
    # A form-held answer missing: « Non renseigné », capitalised.
    assert "Non renseigné" in page and "non renseigné" not in page


def test_question_labels_use_the_typographic_apostrophe():
    import yaml

    data = yaml.safe_load(s.DATA_FILE.read_text(encoding="utf-8"))
    straight = [q["code"] for q in data["questions"] if "'" in q["label"] + q.get("help_text", "")]
    assert straight == []


def test_the_campaign_guard_locks_the_answers(client, commissioner, monkeypatch):
    pact = make_pact()
    monkeypatch.setattr(guards, "SURVEY_GUARDS", [lambda role, region, year: "L’enquête est soumise à la DIPLP."])
    with pytest.raises(PermissionDenied, match="soumise"):
        save(commissioner, pact, {"comitology": "COMITO_DEDIEE"})
    login(client, commissioner)
    url = f"/pactes/enquete/{YEAR}/pacte/{pact.reference}/"
    page = client.get(url).content.decode()
    assert "Lecture seule : L’enquête est soumise à la DIPLP." in page and 'id="survey-form"' not in page
    assert client.post(url, {"token": "v1;", "comitology": "COMITO_DEDIEE"}).status_code == 403


# --- Completeness and snapshot ----------------------------------------------------------------------


def test_survey_problems_and_snapshot_on_a_small_case(commissioner):
    region = Region.objects.get(code="32")
    pact = make_pact(construction_started_on=datetime.date(2024, 9, 3), status=PactStatus.FINALISED)
    action = make_pact_action(pact, targets_specific_public=False)
    make_pact_action(pact, 2, status=PactActionStatus.WITHDRAWN)
    make_pact(number=2, status=PactStatus.ABANDONED)
    make_pact("11", 3)  # another région
    save(
        commissioner,
        pact,
        {
            "forces_vives_meeting": "NON",
            "comitology": "COMITO_DEDIEE",
            "construction_dynamics": "DYN_TRES_BONNE",
            "successes": ["REU_DYNAMIQUES"],
            "difficulties_level": "DIF_OUI_UN_PEU",
            "satisfaction": "SAT_PLUTOT",
        },
    )
    found = s.survey_problems(region, YEAR)
    problems = [p.message for p in found]
    # Each problem links to the page that fixes it: the pact's or action's survey page, its edit page for a
    # field held by the pact or action.
    links = {p.message.split(" : question")[1]: p.url for p in found}
    assert links[" « Difficultés rencontrées » sans réponse"] == f"/pactes/enquete/{YEAR}/pacte/{pact.reference}/"
    assert links[" « L’action a-t-elle un impact direct sur les usagers ? » sans réponse"] == (
        f"/pactes/enquete/{YEAR}/action/{action.reference}/"
    )
    assert links[" « Date de finalisation du pacte local » sans réponse (à saisir dans la fiche)"] == (
        f"/pactes/{pact.reference}/modifier/"
    )
    assert links[" « Échelle géographique de l’action » sans réponse (à saisir dans la fiche)"] == (
        f"/pactes/actions/{action.reference}/modifier/"
    )
    assert problems == [
        f"Pacte {pact.reference} : question « Date de finalisation du pacte local » sans réponse (à saisir dans la fiche)",
        f"Pacte {pact.reference} : question « Difficultés rencontrées » sans réponse",
        f"Pacte {pact.reference} : question « Qu’a apporté le pacte local sur le territoire ? » sans réponse",
    ] + [
        f"Pacte {pact.reference}, action {action.reference} : question « {label} » sans réponse{where}"
        for label, where in [
            ("L’action cible-t-elle un public des quartiers prioritaires (QPV) ?", " (à saisir dans la fiche)"),
            ("L’action cible-t-elle un public des zones rurales ?", " (à saisir dans la fiche)"),
            ("Champs d’action publique dans lesquels s’inscrit l’action", " (à saisir dans la fiche)"),
            ("Échelle géographique de l’action", " (à saisir dans la fiche)"),
            ("Type de pilote de l’action", " (à saisir dans la fiche)"),
            ("Partenaires de l’action", " (à saisir dans la fiche)"),
            ("Volume de bénéficiaires cibles", " (à saisir dans la fiche)"),
            # The numbers of beneficiaries are `required: false`: missing, they block nothing.
            ("Ressources mobilisées pour la mise en œuvre de l’action", " (à saisir dans la fiche)"),
            ("État d’avancement de l’action", " (à saisir dans la fiche)"),
            ("Impacts prévisionnels de l’action", " (à saisir dans la fiche)"),
            ("L’action a-t-elle un impact direct sur les usagers ?", ""),
        ]
    ]
    # Neither the absent actors (no meeting), the publics (no specific public) nor free texts are missing.
    assert not any("Acteurs" in p or "Publics ciblés" in p or "Illustration" in p for p in problems)

    snapshot = s.survey_snapshot_data(region, YEAR)
    json.dumps(snapshot)  # serialisable
    assert [p["reference"] for p in snapshot["pacts"]] == [pact.reference]
    (data,) = snapshot["pacts"]
    assert data["status"] == "finalised" and data["title"] == pact.title
    assert data["answers"]["construction_started_on"] == "2024-09-03"
    assert data["answers"]["comitology"] == "COMITO_DEDIEE"
    assert data["answers"]["successes"] == ["REU_DYNAMIQUES"]
    assert "actors_present" not in data["answers"]  # not asked
    assert [a["reference"] for a in data["actions"]] == [action.reference]
    assert data["actions"][0]["answers"]["targets_specific_public"] == "NON"
    assert "target_publics" not in data["actions"][0]["answers"]
    assert {q["code"] for q in snapshot["questions"]} == set(SurveyQuestion.objects.values_list("code", flat=True))


def test_region_overview_counts_answers(client, commissioner):
    pact = make_pact()
    action = make_pact_action(pact)
    save(commissioner, pact, {"forces_vives_meeting": "NON", "comitology": "COMITO_DEDIEE"})
    login(client, commissioner)
    page = client.get(f"/pactes/enquete/{YEAR}/32/").content.decode()
    answered, asked = s.progress(s.questions_for(YEAR, QuestionScope.PACT), s.current_values(pact, None, YEAR))
    assert answered == 2
    assert f"{answered} / {asked}" in page
    assert "Avant l’envoi :" in page and "question « Dynamique globale" in page
    assert f"/pactes/enquete/{YEAR}/action/{action.reference}/" in page


def test_a_region_s_survey_reads_in_a_constant_number_of_queries(client, commissioner):
    """The overview, the problems and the snapshot read every pact and action of the région: not one by one."""
    region = Region.objects.get(code="32")
    policy_field = Option.objects.filter(option_list__code="champs_action_publique_pactes_locaux").first()

    def grow(first):
        for number in range(first, first + 3):
            pact = make_pact(number=number)
            save(commissioner, pact, {"forces_vives_meeting": "NON"})
            for action_number in (1, 2):
                make_pact_action(pact, action_number).policy_fields.set([policy_field])

    def counted():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/pactes/enquete/{YEAR}/32/").status_code == 200
            s.survey_problems(region, YEAR)
            s.survey_snapshot_data(region, YEAR)
        return len(queries.captured_queries)

    login(client, commissioner)
    grow(1)
    few = counted()
    grow(4)
    assert counted() == few
