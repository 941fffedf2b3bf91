"""The synthetic data generator: deterministic, faithful to the form's value rules, calibrated on the report.

The generator adds to what is there: each test reads only the contracts it generated."""

import math
import os
import random
import shutil
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from pilotactions.contracts import rules, services
from pilotactions.contracts.export import export_rows
from pilotactions.contracts.models import Action, ActionYear, BudgetLine, Contract, StateEnvelope
from pilotactions.contracts.rules import BudgetLineInput
from pilotactions.demo import generator
from pilotactions.demo.generator import TARGETS, Reference, contract_sizes, generate, plan_contracts
from tests.factories import make_action

ROOT = Path(__file__).resolve().parents[2]


def share(rows, predicate):
    rows = list(rows)
    return sum(1 for row in rows if predicate(row)) / len(rows)


# --- Pure parts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("total", [1, 3, 4, 11, 17, 381, 1064, 73600])
def test_contract_sizes_add_up_within_the_report_bounds(total):
    sizes = contract_sizes(random.Random(total), total, TARGETS["actions_per_contract"]["CLS-D"])
    assert sum(sizes) == total
    if total >= 4:
        assert min(sizes) >= 4
        assert max(sizes) <= 50


@pytest.mark.django_db
def test_plan_gives_one_contract_per_signing_authority_first_then_earlier_periods():
    reference = Reference.load(seed=1)
    small = plan_contracts(actions=1445, seed=1, year=2024, reference=reference)
    by_type = Counter(plan.type_code for plan in small)
    assert by_type == {"CLS-D": 93, "CLS-M": 22}  # the report's 93 + 22 contracts
    assert len({plan.authority.code for plan in small}) == len(small)
    assert not {plan.authority.code for plan in small} & set(generator.NON_SIGNATORIES)
    assert sum(plan.size for plan in small) == 1445

    large = plan_contracts(actions=20000, seed=1, year=2024, reference=reference, taken={"CLS-D-2024-059"})
    references = [plan.reference for plan in large]
    assert len(set(references)) == len(references)
    assert all(plan.start_year <= 2024 <= plan.end_year == plan.start_year + 3 for plan in large)
    nord = sorted((plan.k, plan.reference) for plan in large if plan.authority.code == "59")
    assert [ref for _k, ref in nord[:6]] == [
        "CLS-D-2024-059-2",  # the plain reference is taken: numbered like services.contract_reference
        "CLS-D-2023-059",
        "CLS-D-2022-059",
        "CLS-D-2021-059",
        "CLS-D-2024-059-3",
        "CLS-D-2023-059-2",
    ]


# --- What is written ------------------------------------------------------------------------------------


def generate_new(**options) -> SimpleNamespace:
    """`generate(**options)`, and the contracts and actions it created (not those already there)."""
    before = set(Contract.objects.values_list("pk", flat=True))
    counts = generate(**options)
    contracts = Contract.objects.exclude(pk__in=before)
    return SimpleNamespace(counts=counts, contracts=contracts, actions=Action.objects.filter(contract__in=contracts))


@pytest.fixture
def generated(db):
    return generate_new(actions=300, seed=7, year=2024, batch_actions=120)


def test_counts_and_shape(generated):
    contracts = generated.contracts
    assert generated.counts["action"] == generated.actions.count() == 300
    assert generated.counts["contract"] == contracts.count()
    assert set(contracts.values_list("status", flat=True)) == {"signed"}
    assert not contracts.filter(signature_date__isnull=True).exists()
    assert not contracts.filter(signing_organisation__isnull=True).exists()
    for contract in contracts.select_related("signing_organisation", "authority__departement"):
        assert contract.start_year <= 2024 <= contract.end_year
        assert contract.signature_date.year == contract.start_year
        assert contract.signing_organisation.departement_id == contract.authority.departement_id
        assert contract.signing_organisation.acronym in {"DDETS", "DEETS"}
    # Budget lines only for 2024 and 2025.
    assert set(ActionYear.objects.filter(action__in=generated.actions).values_list("year", flat=True)) <= {2024, 2025}


def test_every_generated_action_passes_the_form_rules(generated):
    actions = generated.actions.select_related("contract__contract_type").prefetch_related(
        "policy_fields", "action_types", "partners", "target_publics", "expected_impacts"
    )
    flagged = 0
    for action in actions:
        values = {
            name: getattr(action, name)
            for name in ["title", *rules.SINGLE_OPTION_FIELDS, "start_date", "end_date", "beneficiaries_target"]
        }
        multi = {name: list(getattr(action, name).all()) for name in rules.MULTI_OPTION_FIELDS}
        lines = [
            BudgetLineInput(
                year=line.action_year.year,
                financer=line.financer,
                planned=line.planned,
                financer_type=line.financer_type,
            )
            for line in BudgetLine.objects.filter(action_year__action=action).select_related(
                "action_year", "financer_type__option_list"
            )
        ]
        report = rules.check_action(
            contract=action.contract,
            values=values,
            multi=multi,
            budget_lines=lines,
            ceiling_justification=action.ceiling_justification,
        )
        assert report.errors == {}, (action.reference, report.errors)
        assert report.needs_state_review == action.needs_state_review, action.reference
        flagged += action.needs_state_review
        action.full_clean()
    assert flagged < 0.06 * len(actions)


def test_yearly_totals_are_what_the_services_roll_up(generated):
    for action_year in ActionYear.objects.filter(action__in=generated.actions):
        before = model_to_dict(action_year)
        services.action_year_rollup(action_year)
        assert model_to_dict(action_year) == before
        assert action_year.has_budget


def test_envelopes_cover_every_year_and_are_never_overrun(generated):
    for contract in generated.contracts:
        usage = services.envelope_usage(contract)
        assert [year for year, _planned, _envelope in usage] == contract.years
        for _year, planned, envelope in usage:
            assert envelope is not None and planned <= envelope
    assert StateEnvelope.objects.filter(contract__in=generated.contracts).count() == 4 * generated.contracts.count()


def test_communes_and_epci_lie_in_the_authority_territory(generated):
    narrow = generated.actions.exclude(scale__code__in=["ECH_DEPARTEMENTALE", "ECH_INTERCOMMUNALE"])
    assert narrow.exists()
    for action in narrow.select_related("contract__authority").prefetch_related("communes"):
        authority = action.contract.authority
        communes = list(action.communes.all())
        assert communes, action.reference
        if authority.epci_id:
            assert {c.epci_id for c in communes} == {authority.epci_id}
        elif authority.commune_id:
            assert [c.pk for c in communes] == [authority.commune_id]
        else:
            covered = set(authority.departements.values_list("pk", flat=True))
            assert {c.departement_id for c in communes} <= covered


def test_foreign_keys_hold(generated):
    """On PostgreSQL the rows are copied without per-row triggers: every reference must still resolve."""
    checks = []
    for model in [Contract, StateEnvelope, Action, ActionYear, BudgetLine]:
        for field in model._meta.concrete_fields:
            if field.is_relation:
                checks.append((model._meta.db_table, field.column, field.related_model._meta.db_table))
    for field in Action._meta.many_to_many:
        through = field.remote_field.through._meta
        checks.append((through.db_table, field.m2m_column_name(), Action._meta.db_table))
        checks.append((through.db_table, field.m2m_reverse_name(), field.related_model._meta.db_table))
    with connection.cursor() as cursor:
        for table, column, target in checks:
            cursor.execute(
                f'SELECT COUNT(*) FROM "{table}" t LEFT JOIN "{target}" r ON r.id = t."{column}" '
                f'WHERE t."{column}" IS NOT NULL AND r.id IS NULL'
            )
            assert cursor.fetchone()[0] == 0, (table, column)


# --- Determinism ------------------------------------------------------------------------------------------


def export_text(run, year=2024):
    from pilotactions.contracts.export import csv_lines

    return "".join(csv_lines(export_rows(year, run.actions)))


@pytest.mark.django_db
def test_batch_size_does_not_change_the_data():
    run = generate_new(actions=250, seed=3, batch_actions=40)
    first = export_text(run)
    for model, lookup in [(BudgetLine, "action_year__action__in"), (ActionYear, "action__in")]:
        model.objects.filter(**{lookup: run.actions}).delete()
    StateEnvelope.objects.filter(contract__in=run.contracts).delete()
    run.actions.delete()
    run.contracts.delete()
    assert export_text(generate_new(actions=250, seed=3, batch_actions=1000)) == first
    assert first.count("\n") == 251


def test_same_seed_same_export_in_separate_processes(tmp_path):
    """Two processes with different hash seeds, on two fresh databases: byte-identical exports."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DEBUG": "false"}
    env.pop("DATABASE_URL", None)
    template = tmp_path / "template.sqlite3"
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "-v", "0"],
        env={**env, "DATABASE_URL": f"sqlite:///{template}"},
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    runs = []
    for name, seed, hash_seed in [("a", 11, "1"), ("b", 11, "2"), ("c", 12, "1")]:
        database = tmp_path / f"{name}.sqlite3"
        shutil.copy(template, database)
        out = tmp_path / f"{name}.csv"
        script = (
            f"{' '.join(manage)} generate_data --actions 300 --seed {seed} --no-progress && "
            f"{' '.join(manage)} export_actions --year 2024 --format csv --out {out}"
        )
        process = subprocess.Popen(
            ["bash", "-c", script],
            env={**env, "DATABASE_URL": f"sqlite:///{database}", "PYTHONHASHSEED": hash_seed},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        runs.append((process, out))
    for process, _out in runs:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr.decode()
        assert b"300 actions" in stdout
    a, b, c = (out.read_bytes() for _process, out in runs)
    assert a == b
    assert a != c
    assert a.count(b"\n") == 301


# --- Distributions ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(django_db_setup, django_db_blocker):
    """5,000 actions generated once for the module, read back through the raw export."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            run = generate_new(actions=5000, seed=1, year=2024)
            rows = list(export_rows(2024, run.actions))
            contracts = dict(Counter(row["contract_id"] for row in rows))
            steering = run.actions.filter(action_types__code="TA_ETP_PILOTAGE").count()
            transaction.set_rollback(True)
    return {"rows": rows, "contracts": contracts, "steering": steering}


POINTS = 0.03  # "within a few points"


def near(target, rows):
    """Within a few points, or three standard errors for the smaller samples (381 CLS-M actions in 1445)."""
    n = len(rows)
    return pytest.approx(target, abs=max(POINTS, 3 * math.sqrt(target * (1 - target) / n)))


def by_type(rows, type_code):
    return [row for row in rows if row["contract_type"] == type_code]


def test_actions_per_type_and_per_contract(sample):
    rows = sample["rows"]
    assert len(rows) == 5000
    assert share(rows, lambda r: r["contract_type"] == "CLS-D") == pytest.approx(
        TARGETS["type_share"]["CLS-D"], abs=0.001
    )
    sizes = Counter()
    for row in rows:
        sizes[row["contract_type"], row["contract_id"]] += 1
    for type_code in ["CLS-D", "CLS-M"]:
        per_contract = [n for (t, _c), n in sizes.items() if t == type_code]
        assert statistics.mean(per_contract) == pytest.approx(TARGETS["actions_per_contract"][type_code], rel=0.05)
        assert min(per_contract) >= 4 and max(per_contract) <= 50


@pytest.mark.parametrize("type_code", ["CLS-D", "CLS-M"])
def test_axes_by_contract_type(sample, type_code):
    rows = by_type(sample["rows"], type_code)
    for axis, target in TARGETS["axis"][type_code].items():
        assert share(rows, lambda r, axis=axis: r["axis"] == axis) == near(target, rows)
    assert {row["axis"] for row in rows} == set(TARGETS["axis"][type_code])


def test_axes_overall_and_subthemes(sample):
    rows = sample["rows"]
    assert 1 / 3 < share(rows, lambda r: r["axis"] == "AXE3") < 0.40  # "un peu plus d'un tiers"
    assert 0.27 < share(rows, lambda r: r["axis"] == "AXE1") < 1 / 3  # "un peu moins d'un tiers"
    assert share(rows, lambda r: r["subtheme"] == "") == pytest.approx(1 - TARGETS["subtheme_filled"], abs=0.01)
    assert all(not r["subtheme"] or r["subtheme"][1] == r["axis"][-1] for r in rows)
    axis1 = Counter(r["subtheme"] for r in rows if r["axis"] == "AXE1" and r["subtheme"])
    assert {code for code, _n in axis1.most_common(2)} == {"A1_PARENTALITE", "A1_AUTONOMIE_JEUNES"}


def test_nature(sample):
    rows = sample["rows"]
    assert share(rows, lambda r: r["nature"] == "") == pytest.approx(1 - TARGETS["nature_filled"], abs=0.01)
    filled = [r for r in rows if r["nature"]]
    for code, target in TARGETS["nature"].items():
        assert share(filled, lambda r, code=code: r["nature"] == code) == near(target, filled)


def test_budgets(sample):
    rows = sample["rows"]
    assert share(rows, lambda r: r["budget_total"] != "") == pytest.approx(TARGETS["budget_filled"], abs=0.01)
    budgeted = [r for r in rows if r["budget_total"]]
    totals = [float(r["budget_total"]) for r in budgeted]
    assert statistics.mean(totals) == pytest.approx(TARGETS["budget_mean"], rel=0.1)
    assert statistics.median(totals) == pytest.approx(TARGETS["budget_median"], rel=0.1)
    total = sum(totals)
    third = sum(float(r["budget_third_party"]) for r in budgeted)
    assert third / total == pytest.approx(TARGETS["third_party_share"], abs=POINTS)
    for type_code in ["CLS-D", "CLS-M"]:
        mine = by_type(budgeted, type_code)
        state = sum(float(r["budget_state"]) for r in mine) / sum(float(r["budget_total"]) for r in mine)
        assert state == pytest.approx(TARGETS["state_share"][type_code], abs=POINTS)
        cofinanced = share(mine, lambda r: float(r["budget_third_party"]) > 0)
        assert cofinanced == near(TARGETS["cofinanced"][type_code], mine)
    assert share(budgeted, lambda r: float(r["budget_third_party"]) > 0) == pytest.approx(
        TARGETS["cofinanced"]["all"], abs=POINTS
    )
    for code, target in TARGETS["cofinanced_by"].items():
        assert share(budgeted, lambda r, code=code: code in r["third_party_financers"]) == pytest.approx(
            target, abs=0.005
        )
    over = share(budgeted, lambda r: float(r["budget_state"]) * 2 > float(r["budget_total"]))
    assert over == pytest.approx(TARGETS["over_ceiling"], abs=0.01)


@pytest.mark.parametrize("type_code", ["CLS-D", "CLS-M"])
def test_scale_implementation_impact_and_targeting(sample, type_code):
    rows = by_type(sample["rows"], type_code)
    for column, targets in [("scale", TARGETS["scale"]), ("implementation", TARGETS["implementation"])]:
        for code, target in targets[type_code].items():
            assert share(rows, lambda r, c=column, code=code: r[c] == code) == near(target, rows), code
    direct = share(rows, lambda r: r["direct_impact"] == "OUI")
    assert direct == near(TARGETS["direct_impact"][type_code], rows)
    for column, key in [("qpv_targeting", "qpv"), ("rural_targeting", "rural")]:
        target = TARGETS[key][type_code]
        assert share(rows, lambda r, c=column: r[c].startswith("OUI")) == near(target["any"], rows)
        exclusive = share(rows, lambda r, c=column: r[c] == "OUI_EXCLUSIVEMENT")
        assert exclusive == near(target["exclusive"], rows)


def test_direct_impact_overall(sample):
    direct = share(sample["rows"], lambda r: r["direct_impact"] == "OUI")
    assert direct == near(TARGETS["direct_impact"]["all"], sample["rows"])


@pytest.mark.parametrize("type_code", ["CLS-D", "CLS-M"])
def test_policy_fields_action_types_and_publics(sample, type_code):
    rows = by_type(sample["rows"], type_code)

    def top(column, n):
        counts = Counter(code for row in rows for code in row[column].split("|") if code)
        return [code for code, _n in counts.most_common(n)]

    assert set(top("policy_fields", 4)) == set(TARGETS["policy_fields_top4"][type_code])
    assert top("policy_fields", 1) == ["CAP_CLS_21"]  # accès aux droits first in both
    assert set(top("action_types", 2)) == set(TARGETS["action_types_top2"])
    ages = [code for code in top("target_publics", 15) if code.startswith("AGE_")]
    assert set(ages[:2]) == set(TARGETS["publics_top2"])
    adolescents = {
        t: share(by_type(sample["rows"], t), lambda r: "AGE_ADOLESCENT" in r["target_publics"])
        for t in ["CLS-D", "CLS-M"]
    }
    assert adolescents["CLS-D"] > adolescents["CLS-M"]


def test_publics_steering_etp_and_texts(sample):
    rows = sample["rows"]
    young = [r for r in rows if "AGE_JEUNE_18_30" in r["target_publics"]]
    ase = share(young, lambda r: "PUB_JEUNES_MAJEURS_ASE" in r["target_publics"])
    assert ase == near(TARGETS["young_with_ase"], young)
    contracts = len(sample["contracts"])
    assert sample["steering"] / contracts == pytest.approx(TARGETS["steering_etp_contracts"], abs=0.06)
    titles = [r["title"] for r in rows]
    assert len(set(titles)) > 0.5 * len(titles)  # varied
    by_contract = Counter((r["contract_id"], r["title"]) for r in rows)
    assert len(by_contract) > 0.97 * len(rows)  # hardly ever twice the same title in a contract
    assert not [t for t in titles if "Lorem" in t or t.startswith("Action ")]
    assert all(" : " in t for t in titles if "contrat local des solidarités" not in t)


# --- The background writer ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_background_writer():
    """Outside a transaction, batches are written by a second thread (the default on PostgreSQL), committed one by one."""
    counts = generate(actions=120, seed=5, background=True, batch_actions=30)
    assert Action.objects.count() == counts["action"] == 120
    assert ActionYear.objects.count() == counts["action_year"]
    # The keys were taken from the sequences: the services go on creating rows after them.
    contract = Contract.objects.order_by("pk").last()
    size = contract.actions.count()
    lines = [(2024, "state", 1000), (2024, "authority", 1000)]
    action = make_action(contract, title="Action saisie après la génération", lines=lines)
    assert action.number == size + 1
    assert action.pk > Action.objects.exclude(pk=action.pk).order_by("-pk").values_list("pk", flat=True)[0]
