"""Chapter I's indicators (issue 17): each national measure's quantitative indicators with values by year,
entered by the measure's pilots, validated by the delegation, printed in the bilan's axis narratives with
their source and year; the demo holds the published values."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotactions.accounts.enums import RoleKind as R
from pilotactions.core.models import AuditEvent
from pilotactions.measures import services
from pilotactions.measures.figures import indicator_rows
from pilotactions.measures.models import Indicator, IndicatorValue, IndicatorValueState
from pilotactions.reports.aggregates import Scope
from pilotactions.reports.bilan import bilan_build
from pilotactions.reports.report import report_build
from tests.factories import login, make_role

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"


def fipe() -> Indicator:
    return Indicator.objects.get(code="I.fipe.projets")  # measure 1, piloted by the DGCS


def test_the_published_indicators_are_loaded_validated_with_their_year_unit_and_source(measures):
    published = json.loads(services.INDICATORS_FILE.read_text(encoding="utf-8"))["indicators"]
    assert Indicator.objects.count() == len(published) == 76
    value = IndicatorValue.objects.get(indicator=fipe())
    assert (value.period, value.value, value.state) == ("2024", Decimal(222), IndicatorValueState.VALIDATED)
    assert fipe().measure.number == 1 and fipe().unit == "projets" and fipe().administration == "DGCS"
    avip = Indicator.objects.get(code="I.avip.serie")
    assert dict(avip.values.values_list("period", "value")) == {
        "2023": Decimal(630),
        "2024": Decimal(770),
        "2025": Decimal(930),
    }
    # Values the publication words as a sentence or a range are not loaded.
    assert not Indicator.objects.filter(code__in=["I.coach.accompagnes", "I.cheque_energie.usage"]).exists()
    assert set(services.indicators_reference_load().values()) == {0}  # idempotent


def test_a_pilot_enters_a_value_the_delegation_validates_it_and_the_history_keeps_both(measures):
    pilot = make_role(R.MEASURE_PILOT, "DGCS")
    admin = make_role(R.NATIONAL_ADMIN)
    value = services.indicator_value_record(indicator=fipe(), role=pilot, period="2025-S1", value=Decimal(240))
    assert value.state == IndicatorValueState.PROPOSED and value.entered_by == pilot.user
    assert "I.fipe.projets" in {r["key"] for r in indicator_rows()}
    assert next(r for r in indicator_rows() if r["key"] == "I.fipe.projets")["period"] == "2024"  # not yet

    services.indicator_value_validate(value=value, role=admin)
    value.refresh_from_db()
    assert value.is_validated and value.validated_by == admin.user
    row = next(r for r in indicator_rows() if r["key"] == "I.fipe.projets")
    assert (row["values"]["ALL"], row["period"], row["year"]) == (Decimal(240), "2025-S1", 2025)
    assert [h.state for h in value.history.order_by("history_date")] == ["proposed", "validated"]
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"indicator_value_recorded", "indicator_value_validated"} <= verbs
    with pytest.raises(PermissionDenied):
        services.indicator_value_validate(value=value, role=admin)  # once

    # A correction by the pilot waits for validation again; the delegation's own entry is validated.
    corrected = services.indicator_value_record(indicator=fipe(), role=pilot, period="2025-S1", value=Decimal(241))
    assert corrected.pk == value.pk and corrected.state == IndicatorValueState.PROPOSED
    by_admin = services.indicator_value_record(indicator=fipe(), role=admin, period="2025-S1", value=Decimal(242))
    assert by_admin.is_validated


def test_another_pilot_a_departement_agent_and_a_pilot_validating_are_refused(measures):
    dgefp = make_role(R.MEASURE_PILOT, "DGEFP")
    with pytest.raises(PermissionDenied, match="ne pilote pas la mesure 1"):
        services.indicator_value_record(indicator=fipe(), role=dgefp, period="2024", value=Decimal(1))
    with pytest.raises(PermissionDenied):
        services.indicator_value_record(
            indicator=fipe(), role=make_role(R.DEPARTMENTAL_STATE, "59"), period="2024", value=Decimal(1)
        )
    pilot = make_role(R.MEASURE_PILOT, "DGCS")
    value = services.indicator_value_record(indicator=fipe(), role=pilot, period="2025", value=Decimal(250))
    with pytest.raises(PermissionDenied, match="Seule la délégation"):
        services.indicator_value_validate(value=value, role=pilot)
    with pytest.raises(PermissionDenied):
        services.indicator_value_withdraw(dgefp, value, "erreur")
    assert IndicatorValue.objects.get(pk=value.pk).state == IndicatorValueState.PROPOSED


def test_bad_input_gets_a_french_message_and_a_withdrawn_value_no_longer_counts(measures):
    pilot = make_role(R.MEASURE_PILOT, "DGCS")
    with pytest.raises(ValidationError, match="invalide"):
        services.indicator_value_record(indicator=fipe(), role=pilot, period="24", value=Decimal(1))
    with pytest.raises(ValidationError, match="négative"):
        services.indicator_value_record(indicator=fipe(), role=pilot, period="2024", value=Decimal(-1))
    with pytest.raises(ValidationError, match="n’a pas commencé"):
        services.indicator_value_record(indicator=fipe(), role=pilot, period="2040", value=Decimal(1))
    share = Indicator.objects.get(code="I.passcolo.primo")  # %
    with pytest.raises(ValidationError, match="100 au plus"):
        services.indicator_value_record(
            indicator=share, role=make_role(R.NATIONAL_ADMIN), period="2024", value=Decimal(101)
        )
    value = services.indicator_value_record(indicator=fipe(), role=pilot, period="2025", value=Decimal(250))
    with pytest.raises(ValidationError, match="pourquoi"):
        services.indicator_value_withdraw(pilot, value, " ")
    services.indicator_value_withdraw(pilot, value, "erreur de saisie")
    assert not IndicatorValue.objects.filter(pk=value.pk).exists()
    assert IndicatorValue.all_objects.get(pk=value.pk).withdrawal_reason == "erreur de saisie"
    again = services.indicator_value_record(indicator=fipe(), role=pilot, period="2025", value=Decimal(251))
    assert again.pk != value.pk


def test_the_bilan_figure_has_one_row_per_indicator_and_the_report_prints_them_in_the_axis_narratives(measures):
    figure = next(f for f in bilan_build(Scope(year=2024))["figures"] if f["id"] == "measures.indicators")
    assert figure["chapter"] == "I.3" and figure["base"] == {"ALL": 76}
    row = next(r for r in figure["rows"] if r["key"] == "I.fipe.projets")
    assert row["values"] == {"ALL": Decimal(222)}
    assert {k: row[k] for k in ("measure", "label", "unit", "year", "source")} == {
        "measure": 1,
        "label": "FIPE : projets financés",
        "unit": "projets",
        "year": 2024,
        "source": "DGCS",
    }
    document = report_build(Scope(year=2024))
    section = next(s for s in document.sections if s.title == "Les mesures par axe et leurs indicateurs")
    text = " ".join(section.summary)
    assert "FIPE : projets financés — 222\u00a0projets (source : DGCS, 2024)" in text
    assert f"15{NNBSP}983\u00a0enfants" in text  # pass colo, French thousands
    assert "18,2\u00a0millions de repas" in text and f"62{NNBSP}%" in text
    assert len(section.summary) == 5  # one paragraph per axis
    table = section.figures[0]
    assert table.columns == ["Mesure", "Valeur", "Année", "Source"]
    assert table.rows[0].label == "FIPE : projets financés"
    assert table.rows[0].cells == ["1", "222\u00a0projets", "2024", "DGCS"]
    # A pilot's value waiting for validation is not printed.
    services.indicator_value_record(
        indicator=fipe(), role=make_role(R.MEASURE_PILOT, "DGCS"), period="2025", value=Decimal(3360)
    )
    assert f"3{NNBSP}360" not in " ".join(
        next(s for s in report_build(Scope(year=2024)).sections if s.title.startswith("Les mesures par axe")).summary
    )


def test_the_measure_page_lists_the_indicators_and_the_pilot_and_the_delegation_use_them(client, measures):
    pilot = login(client, make_role(R.MEASURE_PILOT, "DGCS"))
    page = client.get("/mesures/1/").content.decode()
    assert "FIPE : projets financés" in page and "222\u00a0projets" in page and "Validée" in page
    url = f"/mesures/indicateurs/{fipe().pk}/valeurs/"
    response = client.post(url, {"period": "2025", "value": "abc"})
    assert response.status_code == 200 and "nombre" in response.content.decode()
    response = client.post(url, {"period": "2025", "value": "3 360", "data_date": "2025-06-30"})
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=fipe(), period="2025")
    assert value.value == Decimal(3360) and value.entered_by == pilot.user and not value.is_validated
    assert "À valider" in client.get("/mesures/1/").content.decode()
    assert client.post(f"/mesures/valeurs-indicateurs/{value.pk}/valider/").status_code == 403
    assert (
        client.get(f"/mesures/indicateurs/{Indicator.objects.get(code='I.cejjr.signes').pk}/valeurs/").status_code
        == 403
    )

    login(client, make_role(R.NATIONAL_ADMIN))
    assert client.post(f"/mesures/valeurs-indicateurs/{value.pk}/valider/").status_code == 302
    value.refresh_from_db()
    assert value.is_validated
    response = client.post(f"/mesures/valeurs-indicateurs/{value.pk}/retirer/", {"reason": "doublon"})
    assert response.status_code == 302 and IndicatorValue.all_objects.get(pk=value.pk).is_withdrawn

    login(client, make_role(R.DEPARTMENTAL_STATE, "59"))
    assert client.get(url).status_code == 403
