"""Campaigns of kind `enquete`: the commissioners' survey on the local pacts, one dossier per région (issue 15)."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.accounts.todo import todos_for
from pilotactions.campaigns import surveys
from pilotactions.campaigns.diff import dossier_diff
from pilotactions.campaigns.enums import DossierState as S
from pilotactions.campaigns.models import Campaign, Dossier, DossierComment, DossierSnapshot, Reminder
from pilotactions.campaigns.perms import can_view_dossier
from pilotactions.campaigns.selectors import cockpit
from pilotactions.campaigns.services import (
    comment_add,
    dossier_reopen,
    dossier_return,
    dossier_submit,
    dossier_validate,
    reminder_send_manual,
    reminders_send,
)
from pilotactions.contracts.models import ContractType
from pilotactions.pacts.guards import survey_lock_reason
from pilotactions.pacts.models import Pact
from pilotactions.pacts.survey import SurveyProblem
from pilotactions.territories.models import Region
from tests.factories import login, make_action, make_campaign, make_contract, make_role

pytestmark = pytest.mark.django_db

OCCITANIE, HDF, BRETAGNE, NORMANDIE = "76", "32", "53", "28"


def make_pact(region_code, year=2024, title="Pacte de test"):
    region = Region.objects.get(code=region_code)
    number = Pact.objects.count() + 1
    return Pact.objects.create(
        reference=f"PL-{year}-{region_code}-{number:03d}",
        year=year,
        region=region,
        title=title,
        territory_kind="region",
    )


@pytest.fixture
def no_problems(monkeypatch):
    """Answers complete unless a test says otherwise (the blocking rules are pacts.survey's, tested there)."""
    problems = []
    monkeypatch.setattr(surveys, "survey_problems", lambda region, year: list(problems))
    return problems


@pytest.fixture
def survey(no_problems):
    """Pacts of 2024 in Occitanie and Hauts-de-France (none in Bretagne that year), an open enquete campaign."""
    make_pact(OCCITANIE)
    make_pact(OCCITANIE)
    make_pact(HDF)
    make_pact(BRETAGNE, year=2023)
    campaign = make_campaign("enquete", name="Enquête pactes locaux 2024", types=())
    return {
        "campaign": campaign,
        "occitanie": Dossier.objects.get(campaign=campaign, region__code=OCCITANIE),
        "hdf": Dossier.objects.get(campaign=campaign, region__code=HDF),
        "commissioner": make_role(R.REGIONAL, OCCITANIE),
        "admin": make_role(R.NATIONAL_ADMIN),
        "problems": no_problems,
    }


def reload(dossier):
    return Dossier.objects.get(pk=dossier.pk)


def test_sync_creates_region_dossiers_only_where_pacts_exist_and_adds_a_region_later(survey):
    campaign = survey["campaign"]
    assert sorted(campaign.dossiers.values_list("region__code", flat=True)) == [HDF, OCCITANIE]
    assert not campaign.dossiers.filter(contract__isnull=False).exists()
    assert list(campaign.contract_types.all()) == []
    assert str(survey["occitanie"]) == "Enquête pactes locaux 2024 — Occitanie"
    # A contract of the year does not enter a survey campaign.
    make_contract("59")
    make_pact(NORMANDIE)  # Normandie's first pact of 2024: its dossier appears
    make_pact(NORMANDIE)  # … once
    make_pact(BRETAGNE, year=2025)  # another year: nothing
    assert sorted(campaign.dossiers.values_list("region__code", flat=True)) == [NORMANDIE, HDF, OCCITANIE]


def test_a_closed_survey_campaign_does_not_take_new_regions(no_problems):
    make_pact(OCCITANIE)
    campaign = make_campaign("enquete", open_=False, types=())
    make_pact(NORMANDIE)
    assert list(campaign.dossiers.values_list("region__code", flat=True)) == [OCCITANIE]


def test_the_campaign_form_needs_no_contract_type_for_a_survey(client, no_problems):
    make_pact(OCCITANIE)
    login(client, make_role(R.NATIONAL_ADMIN))
    data = {
        "name": "Enquête pactes locaux 2024",
        "kind": "enquete",
        "year": "2024",
        "opens_at": "2025-02-03T09:00",
        "closes_at": "2025-03-07T18:00",
        "reminder_days": "7, 2",
    }
    assert client.post("/campagnes/nouvelle/", {**data, "kind": "suivi"}).context["form"].errors["contract_types"] == [
        "Choisissez au moins un type de contrat."
    ]
    response = client.post("/campagnes/nouvelle/", data)
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.kind == "enquete" and list(campaign.dossiers.values_list("region__code", flat=True)) == [OCCITANIE]
    # Its dossiers are régions': it does not turn into a campaign on contracts.
    types = [t.pk for t in ContractType.objects.all()]
    refused = client.post(f"/campagnes/{campaign.pk}/modifier/", {**data, "kind": "suivi", "contract_types": types})
    assert "ne passe pas d’une enquête à une campagne sur les contrats" in refused.content.decode()
    assert Campaign.objects.get().kind == "enquete"


def test_the_commissioner_submits_the_regions_survey_not_another_regions(survey, django_capture_on_commit_callbacks):
    occitanie, hdf = survey["occitanie"], survey["hdf"]
    commissioner = survey["commissioner"]
    other = make_role(R.REGIONAL, HDF)
    with pytest.raises(PermissionDenied, match="commissaire et les services régionaux de la région"):
        dossier_submit(dossier=occitanie, role=other)
    with pytest.raises(PermissionDenied):
        dossier_submit(dossier=hdf, role=commissioner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = dossier_submit(dossier=occitanie, role=commissioner)
    occitanie = reload(occitanie)
    assert occitanie.state == S.SUBMITTED and occitanie.submitted_by == commissioner.user
    acknowledgement, notice = mail.outbox
    assert acknowledgement.to == [commissioner.user.email]
    assert "L'enquête de la région Occitanie sur ses pactes locaux a bien été soumise" in acknowledgement.body
    assert notice.to == [survey["admin"].user.email]  # the DIPLP decides
    assert "a soumis le dossier de l’enquête d’Occitanie" in notice.body
    assert snapshot.data["region"] == {"code": OCCITANIE, "name": "Occitanie"}
    assert reload(hdf).state == S.DRAFT


def test_blocking_problems_prevent_the_submission(survey, client):
    survey["problems"].append(
        SurveyProblem("Pacte PL-2024-76-001 : question « Dynamique » sans réponse", "/pactes/enquete/2024/pacte/X/")
    )
    with pytest.raises(ValidationError) as error:
        dossier_submit(dossier=survey["occitanie"], role=survey["commissioner"])
    assert error.value.messages == ["Pacte PL-2024-76-001 : question « Dynamique » sans réponse"]
    login(client, survey["commissioner"])
    html = client.get(f"/dossiers/{survey['occitanie'].pk}/").content.decode()
    assert "question « Dynamique » sans réponse" in html
    assert 'href="/pactes/enquete/2024/pacte/X/"' in html  # the page of the pact or action to fix
    # A région whose pacts of the year are gone has nothing to submit.
    Pact.objects.filter(region__code=HDF).delete()
    with pytest.raises(ValidationError, match="aucun pacte local pour 2024"):
        dossier_submit(dossier=survey["hdf"], role=survey["admin"])


def test_who_sees_a_survey_dossier(survey, client):
    occitanie = survey["occitanie"]
    seeing = [survey["commissioner"], make_role(R.NATIONAL_ADMIN), make_role(R.NATIONAL_READER)]
    blind = [
        make_role(R.REGIONAL, HDF),
        make_role(R.DEPARTMENTAL_STATE, "31"),  # Haute-Garonne, in Occitanie
        make_role(R.AUTHORITY_REFERENT, "31"),
        make_role(R.AUTHORITY_EDITOR, "34"),
        make_role(R.MEASURE_PILOT),
    ]
    for role in seeing:
        assert Dossier.objects.visible_to(role).filter(pk=occitanie.pk).exists(), role
        assert can_view_dossier(role, occitanie)
    for role in blind:
        assert not Dossier.objects.visible_to(role).filter(pk=occitanie.pk).exists(), role
        assert not can_view_dossier(role, occitanie)
        login(client, role)
        assert client.get(f"/dossiers/{occitanie.pk}/").status_code == 404
    # Departmental services and authorities see no survey dossier at all, nor in the campaigns list.
    for role in blind[1:4]:
        assert not Dossier.objects.visible_to(role).filter(region__isnull=False).exists()
        login(client, role)
        assert "Occitanie" not in client.get("/campagnes/").content.decode()
    # A regional role still sees its région's contract dossiers beside its survey.
    make_contract("31")
    programmation = make_campaign()
    assert Dossier.objects.visible_to(survey["commissioner"]).filter(campaign=programmation).count() == 1
    assert Dossier.objects.visible_to(survey["commissioner"]).filter(campaign=survey["campaign"]).count() == 1


def test_the_diplp_validates_with_four_eyes_and_returns_with_a_comment(survey, django_capture_on_commit_callbacks):
    occitanie, admin, commissioner = survey["occitanie"], survey["admin"], survey["commissioner"]
    dossier_submit(dossier=occitanie, role=admin)  # on the région's behalf
    with pytest.raises(PermissionDenied, match="un autre agent doit le valider"):
        dossier_validate(dossier=occitanie, role=admin)
    with pytest.raises(PermissionDenied, match="Seule la DIPLP valide ou renvoie"):
        dossier_validate(dossier=occitanie, role=commissioner)
    with pytest.raises(PermissionDenied):
        dossier_return(dossier=occitanie, role=make_role(R.DEPARTMENTAL_STATE, "31"), comment="Non")
    with pytest.raises(ValidationError):
        dossier_return(dossier=occitanie, role=admin, comment="  ")
    assert reload(occitanie).state == S.SUBMITTED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dossier_return(dossier=occitanie, role=admin, comment="Précisez la comitologie du pacte 2.")
    assert reload(occitanie).state == S.RETURNED
    assert DossierComment.objects.get(dossier=occitanie).text == "Précisez la comitologie du pacte 2."
    assert [m.to for m in mail.outbox] == [[commissioner.user.email]]
    assert "l’enquête d’Occitanie pour correction" in mail.outbox[0].body
    assert "Région : Occitanie" in mail.outbox[0].body

    # Exchanges from both sides, about the dossier as a whole.
    comment_add(dossier=occitanie, role=commissioner, text="C’est fait.")
    comment_add(dossier=occitanie, role=admin, text="Merci.")
    with pytest.raises(PermissionDenied):
        comment_add(dossier=occitanie, role=make_role(R.DEPARTMENTAL_STATE, "31"), text="?")
    dossier_submit(dossier=reload(occitanie), role=commissioner)
    dossier_validate(dossier=reload(occitanie), role=admin, comment="Merci.")
    assert reload(occitanie).state == S.VALIDATED
    with pytest.raises(PermissionDenied):
        dossier_reopen(dossier=reload(occitanie), role=commissioner, reason="Erreur")
    dossier_reopen(dossier=reload(occitanie), role=admin, reason="Une action manquait.")
    assert reload(occitanie).state == S.REOPENED


def test_the_snapshot_is_frozen_and_equals_the_survey_data_at_submission(survey):
    from pilotactions.pacts.survey import survey_snapshot_data

    occitanie = survey["occitanie"]
    region = occitanie.region
    expected = survey_snapshot_data(region, 2024)
    snapshot = dossier_submit(dossier=occitanie, role=survey["commissioner"])
    assert DossierSnapshot.objects.get(pk=snapshot.pk).data["survey"] == expected
    assert [p["reference"] for p in expected["pacts"]] == sorted(
        Pact.objects.filter(region=region, year=2024).values_list("reference", flat=True)
    )
    # The pacts change afterwards (they are never locked by the survey): the snapshot does not.
    pact = Pact.objects.filter(region=region).first()
    pact.title = "Titre changé après la soumission"
    pact.save()
    assert survey_snapshot_data(region, 2024) != expected
    assert DossierSnapshot.objects.get(pk=snapshot.pk).data["survey"] == expected
    with pytest.raises(ValidationError):
        snapshot.save()
    with pytest.raises(ValidationError):
        snapshot.delete()


def test_the_guard_opens_answers_only_in_an_editable_dossier_inside_its_window(survey):
    occitanie, commissioner, admin = survey["occitanie"], survey["commissioner"], survey["admin"]
    region = occitanie.region
    assert survey_lock_reason(commissioner, region, 2024) == ""
    assert survey_lock_reason(commissioner, region, 2023) == "Aucune enquête ouverte pour 2023"
    dossier_submit(dossier=occitanie, role=commissioner)
    assert "soumise à la DIPLP" in survey_lock_reason(commissioner, region, 2024)
    dossier_return(dossier=reload(occitanie), role=admin, comment="À reprendre")
    assert survey_lock_reason(commissioner, region, 2024) == ""
    campaign = survey["campaign"]
    campaign.closes_at = timezone.now() - timedelta(hours=1)
    campaign.save()
    assert "est close depuis le" in survey_lock_reason(commissioner, region, 2024)
    occitanie = reload(occitanie)
    occitanie.extended_until = timezone.now() + timedelta(days=2)
    occitanie.save()
    assert survey_lock_reason(commissioner, region, 2024) == ""
    dossier_submit(dossier=reload(occitanie), role=commissioner)
    dossier_validate(dossier=reload(occitanie), role=admin)
    assert "validée" in survey_lock_reason(commissioner, region, 2024)
    # A campaign not open yet.
    make_pact(NORMANDIE, year=2026)
    later = make_campaign("enquete", year=2026, types=())
    later.opens_at = timezone.now() + timedelta(days=3)
    later.closes_at = timezone.now() + timedelta(days=30)
    later.save()
    assert "ouvre le" in survey_lock_reason(commissioner, Region.objects.get(code=NORMANDIE), 2026)


def test_the_guard_refuses_a_survey_answer_through_the_pacts_service(survey):
    from pilotactions.pacts.survey import answers_save, answers_token

    pact = Pact.objects.filter(region__code=OCCITANIE).first()
    dossier_submit(dossier=survey["occitanie"], role=survey["commissioner"])
    with pytest.raises(PermissionDenied, match="soumise à la DIPLP"):
        answers_save(
            role=survey["commissioner"],
            pact=pact,
            year=2024,
            values={},
            token=answers_token(pact, year=2024),
        )


def test_reminders_go_to_the_regions_regional_roles(survey, django_capture_on_commit_callbacks):
    commissioner = survey["commissioner"]
    sgar = make_role(R.REGIONAL, OCCITANIE)
    make_role(R.REGIONAL, BRETAGNE)
    make_role(R.DEPARTMENTAL_STATE, "31")
    make_role(R.AUTHORITY_REFERENT, "31")
    dossier_submit(dossier=survey["hdf"], role=survey["admin"])  # submitted: not reminded
    closes = survey["campaign"].closes_at
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=closes - timedelta(days=6)) == 1
    reminder = Reminder.objects.get()
    assert reminder.dossier == survey["occitanie"]
    assert reminder.recipients == sorted([commissioner.user.email, sgar.user.email])
    assert mail.outbox[-1].to == reminder.recipients
    assert "L'enquête de la région Occitanie" in mail.outbox[-1].body
    # By hand: the DIPLP only.
    with pytest.raises(PermissionDenied):
        reminder_send_manual(dossier=survey["occitanie"], role=commissioner)
    Reminder.objects.all().delete()
    assert reminder_send_manual(dossier=survey["occitanie"], role=survey["admin"]).recipients == reminder.recipients


def test_the_cockpit_lists_the_region_dossiers_and_exports_them(survey, client):
    dossier_submit(dossier=survey["hdf"], role=survey["admin"])
    campaign = survey["campaign"]
    figures = cockpit(campaign, Dossier.objects.filter(campaign=campaign))
    assert figures["total"] == 2
    assert [(r["name"], r["total"]) for r in figures["regions"]] == [("Hauts-de-France", 1), ("Occitanie", 1)]
    assert figures["map_values"]["31"] == "draft" and figures["map_values"]["59"] == "submitted"
    login(client, survey["admin"])
    html = client.get(f"/campagnes/{campaign.pk}/").content.decode()
    assert f'href="/dossiers/{survey["occitanie"].pk}/">Occitanie</a>' in html
    assert client.get(f"/campagnes/{campaign.pk}/?region={OCCITANIE}").context["page"].paginator.count == 1
    export = client.get(f"/campagnes/{campaign.pk}/dossiers.csv")
    rows = list(csv.reader(io.StringIO(export.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Région", "État"]
    assert [r[0] for r in rows[1:]] == ["Hauts-de-France", "Occitanie"]
    # The commissioner's cockpit: its région only.
    login(client, survey["commissioner"])
    response = client.get(f"/campagnes/{campaign.pk}/")
    assert [d.region.code for d in response.context["page"]] == [OCCITANIE]
    assert client.get(f"/dossiers/{survey['occitanie'].pk}/grille/").status_code == 404


def test_the_commissioner_has_a_home_page_task(survey, client):
    commissioner = survey["commissioner"]
    titles = [t.title for t in todos_for(commissioner)]
    assert "Enquête pactes locaux 2024 : à compléter" in titles
    login(client, commissioner)
    assert "Enquête pactes locaux 2024 : à compléter" in client.get("/").content.decode()
    assert not [t for t in todos_for(make_role(R.REGIONAL, BRETAGNE)) if "Enquête" in t.title]
    dossier_submit(dossier=survey["occitanie"], role=commissioner)
    assert not [t for t in todos_for(commissioner) if "Enquête" in t.title]
    admin = survey["admin"]
    assert any("soumis en attente de validation" in t.title for t in todos_for(admin))
    dossier_return(dossier=reload(survey["occitanie"]), role=admin, comment="Compléter le pacte 2")
    returned = [t for t in todos_for(commissioner) if "Enquête" in t.title]
    assert [(t.title, t.detail, t.urgent) for t in returned] == [
        ("Enquête pactes locaux 2024 : renvoyée pour correction", "« Compléter le pacte 2 »", True)
    ]


def test_the_dossier_page_of_a_survey(survey, client):
    occitanie = survey["occitanie"]
    login(client, survey["commissioner"])
    html = client.get(f"/dossiers/{occitanie.pk}/").content.decode()
    assert "Enquête pactes locaux 2024 — Occitanie" in html
    assert "Pactes locaux de la région pour 2024 : 2." in html
    assert "Répondre à l’enquête" in html and "Soumettre l’enquête à la validation de la DIPLP" in html
    confirm = client.get(f"/dossiers/{occitanie.pk}/soumettre/").content.decode()
    assert "Soumettre l’enquête d’Occitanie à la validation de la DIPLP" in confirm
    client.post(f"/dossiers/{occitanie.pk}/soumettre/")
    assert reload(occitanie).state == S.SUBMITTED
    response = client.post(f"/dossiers/{occitanie.pk}/commentaires/", {"message-comment": "Une précision."})
    assert response.status_code == 302
    login(client, make_role(R.NATIONAL_ADMIN))
    html = client.get(f"/dossiers/{occitanie.pk}/").content.decode()
    assert "Valider le dossier" in html and "Renvoyer à la région" in html and "Une précision." in html
    refused = client.post(f"/dossiers/{occitanie.pk}/renvoyer/", {"renvoi-comment": ""})
    assert "Pour renvoyer le dossier, expliquez ce qu’il faut corriger." in refused.content.decode()
    assert reload(occitanie).state == S.SUBMITTED
    client.post(f"/dossiers/{occitanie.pk}/renvoyer/", {"renvoi-comment": "Précisez."})
    assert reload(occitanie).state == S.RETURNED
    remind = client.get(f"/dossiers/{occitanie.pk}/relancer/").content.decode()
    assert "Relancer la région" in remind and survey["commissioner"].user.email in remind
    login(client, survey["commissioner"])
    assert "Dossier de la région Occitanie" in client.get("/campagnes/").content.decode()
    assert client.get(f"/dossiers/{occitanie.pk}/relancer/").status_code == 403


def test_the_acknowledgement_of_a_survey(survey, client):
    snapshot = dossier_submit(dossier=survey["occitanie"], role=survey["commissioner"])
    login(client, survey["commissioner"])
    response = client.get(f"/dossiers/{survey['occitanie'].pk}/accuses/{snapshot.pk}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert f"accuse-reception-enquete-76-{snapshot.pk}.pdf" in response["Content-Disposition"]


def test_a_resubmission_shows_the_answers_that_changed(survey, monkeypatch):
    answers = {"dynamique": "FORTE"}

    def snapshot_data(region, year):
        return {
            "year": year,
            "region": region.code,
            "pacts": [
                {
                    "reference": "PL-1",
                    "title": "Pacte 1",
                    "answers": dict(answers),
                    "actions": [{"reference": "PL-1-A1", "title": "Action 1", "answers": {"publics": ["A"]}}],
                }
            ],
        }

    monkeypatch.setattr(surveys, "survey_snapshot_data", snapshot_data)
    occitanie, admin = survey["occitanie"], survey["admin"]
    dossier_submit(dossier=occitanie, role=survey["commissioner"])
    assert dossier_diff(reload(occitanie)) is None
    dossier_return(dossier=reload(occitanie), role=admin, comment="Revoyez la dynamique")
    answers["dynamique"] = "FAIBLE"
    answers["date_debut"] = "2024-03-01"
    dossier_submit(dossier=reload(occitanie), role=survey["commissioner"])
    changes = dossier_diff(reload(occitanie))
    assert [a.reference for a in changes.changed] == ["PL-1"]
    shown = {c.field: (c.before, c.after) for c in changes.changed[0].changes}
    assert shown["dynamique"][1] != "—" and shown["date_debut"] == ("—", "01/03/2024")


def test_contract_campaigns_are_unchanged_by_the_survey(survey):
    """A programmation campaign of the same year holds contracts only, read by their authorities."""
    contract = make_contract("59")
    make_action(contract, lines=[(2024, "authority", "10")])
    campaign = make_campaign()
    assert list(campaign.dossiers.values_list("contract__reference", flat=True)) == [contract.reference]
    assert str(campaign.dossiers.get()) == f"{campaign} — {contract.reference}"


def test_survey_dossier_texts_name_the_diplp_and_the_region(survey, client):
    """A user's walkthrough: the flash messages of a survey dossier name the DIPLP and the région, not the
    contract's State service and authority; the pacts counted are the surveyed ones; the campaign page has no
    département filter and paints the régions."""
    occitanie = survey["occitanie"]
    abandoned = make_pact(OCCITANIE)
    Pact.objects.filter(pk=abandoned.pk).update(status="abandoned")
    login(client, survey["commissioner"])
    html = client.get(f"/dossiers/{occitanie.pk}/").content.decode()
    assert "Pactes locaux de la région pour 2024 : 2 (sans compter 1 pacte abandonné, hors enquête)." in html
    page = client.post(f"/dossiers/{occitanie.pk}/soumettre/", follow=True).content.decode()
    assert "Dossier soumis : la DIPLP est prévenue" in page and "service de l’État" not in page
    admin = make_role(R.NATIONAL_ADMIN)
    login(client, admin)
    page = client.post(f"/dossiers/{occitanie.pk}/renvoyer/", {"renvoi-comment": "Précisez."}, follow=True)
    assert "Dossier renvoyé à la région avec votre commentaire." in page.content.decode()
    dossier_submit(dossier=reload(occitanie), role=survey["commissioner"])
    page = client.post(f"/dossiers/{occitanie.pk}/valider/", follow=True).content.decode()
    assert "Dossier validé ; le commissaire de la région est prévenu." in page and "la collectivité est" not in page
    page = client.post(f"/dossiers/{occitanie.pk}/rouvrir/", {"reouverture-reason": "Oubli."}, follow=True)
    assert "Dossier rouvert : la région peut de nouveau modifier ses réponses." in page.content.decode()

    response = client.get(f"/campagnes/{survey['campaign'].pk}/")
    assert "departement" not in response.context["form"].fields
    assert response.context["map_by"] == "région"
    assert [row.code for row in response.context["map_rows"]] == [HDF, OCCITANIE]


def test_the_submitted_answers_count_in_french(survey, client, monkeypatch):
    monkeypatch.setattr(surveys, "survey_snapshot_data", lambda region, year: {"pacts": [], "actions": []})
    from pilotactions.campaigns import acknowledgement

    monkeypatch.setattr(
        acknowledgement,
        "summary",
        lambda snapshot: {"survey": True, "pacts": 17, "actions": 1200, "answers": 1236, "amounts": []},
    )
    login(client, survey["commissioner"])
    html = client.get(f"/dossiers/{survey['occitanie'].pk}/soumettre/").content.decode()
    assert "1\u202f236" in html or "1 236" in html or "1\xa0236" in html
    assert ">1236<" not in html


def test_the_admin_who_submitted_is_told_another_one_decides(survey, client):
    """Four eyes: the national admin who submitted a survey has no « en attente de validation » task for it,
    and its page says who decides."""
    occitanie, admin = survey["occitanie"], survey["admin"]
    dossier_submit(dossier=occitanie, role=admin)
    assert not any("soumis en attente de validation" in t.title for t in todos_for(admin))
    other = make_role(R.NATIONAL_ADMIN)
    assert any("1 dossier soumis en attente de validation" in t.title for t in todos_for(other))
    login(client, admin)
    html = client.get(f"/dossiers/{occitanie.pk}/").content.decode()
    assert "Vous avez soumis ce dossier : un autre administrateur national le valide ou le renvoie." in html
    assert "Valider le dossier" not in html
    login(client, other)
    html = client.get(f"/dossiers/{occitanie.pk}/").content.decode()
    assert "Vous avez soumis ce dossier" not in html and "Valider le dossier" in html


def test_the_admin_who_submitted_a_contract_dossier_is_told_too(client, monkeypatch):
    from pilotactions.campaigns import services

    monkeypatch.setattr(services, "dossier_problems", lambda dossier: [])
    make_contract("59")
    campaign = make_campaign()
    dossier = Dossier.objects.get(campaign=campaign)
    admin = make_role(R.NATIONAL_ADMIN)
    dossier_submit(dossier=dossier, role=admin)
    assert not any("soumis en attente de validation" in t.title for t in todos_for(admin))
    login(client, admin)
    html = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "Vous avez soumis ce dossier : un autre agent de l’État le valide ou le renvoie." in html
