"""Migrations run while the previous version still serves (docs/deployment.md, "Upgrades").

A deployment migrates first, then restarts gunicorn: for a while the old code runs against the new schema,
and on PostgreSQL a migration that rewrites or scans a big table holds a lock that stops every request
touching it. So each migration's operations on the tables that grow with the data (GROWING_TABLES) are
listed and checked; a blocking one fails this test, with the safe way to write it:

- AddField NOT NULL without `db_default` (the previous version's INSERTs omit the column: give it a
  `db_default`, or make it nullable and fill it later); a field with an index (a ForeignKey, `unique`,
  `db_index`) builds that index under a write lock — `db_index=False`, then AddIndexConcurrently;
- AlterField changing the column's type (table rewrite), its NULL constraint to NOT NULL (full scan under
  lock) or adding an index or a uniqueness;
- RemoveField, RenameField, DeleteModel, RenameModel, AlterModelTable: the previous version still reads the
  column or the table — two steps: first stop using it (SeparateDatabaseAndState with the state operation
  only), remove it in the next release;
- AddIndex (use django.contrib.postgres.operations.AddIndexConcurrently, in a non-atomic migration),
  AddConstraint (a unique constraint builds an index, a check constraint scans the table under lock: add the
  index concurrently first, or a NOT VALID check then VALIDATE, with RunSQL), AlterUniqueTogether;
- RunPython and RunSQL: a data migration on a big table holds its row locks until it commits: read it,
  make it work in batches, and list it in REVIEWED with what it does.

Operations on a table created by the same migration are free. ALREADY_APPLIED lists the migrations that
broke these rules before this test existed: they are applied on every database (the demo's and any
deployment's) and are never run again. Add nothing to it: write the migration in safe steps instead.
"""

from types import SimpleNamespace

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django.db.models import NOT_PROVIDED

# The tables that grow with the data (one row per action, year, line, event, value, version…), by model:
# every historical table (django-simple-history) too. A new model of that kind goes here.
GROWING_TABLES = {
    "accounts": {"user", "proconnectidentity", "accessrequest"},
    "campaigns": {"dossier", "dossierevent", "dossiercomment", "dossiersnapshot", "reminder"},
    "contracts": {"contract", "action", "actionyear", "budgetline", "amendment", "contractdocument", "indicatorvalue"},
    "core": {"auditevent"},
    "measures": {"objectivevalue", "statuschange", "updaterequest"},
    "pacts": {"pact", "pactaction", "pactcofinancing", "pactactioncofinancing", "pactdocument", "surveyanswer"},
}
PROJECT_APPS = {
    "accounts",
    "campaigns",
    "contracts",
    "core",
    "measures",
    "nomenclatures",
    "pacts",
    "reports",
    "territories",
}

# Applied everywhere before this check existed (their blocking operations, and why they were acceptable then:
# the tables were still small or empty when they ran). Never run again; add nothing here.
ALREADY_APPLIED = {
    ("accounts", "0003_user_deactivated_at_user_deactivation_reason_and_more"): "users.deactivation_reason NOT NULL",
    ("campaigns", "0002_dossier_submitted_by"): "dossier.submitted_by foreign key index built without CONCURRENTLY",
    ("contracts", "0002_remove_budgetline_spent_and_more"): "budgetline.spent removed in one step",
    ("contracts", "0003_action_form_token"): "unique (contract, form_token) built without CONCURRENTLY",
    ("core", "0002_auditevent_organisation_id_and_more"): "auditevent labels NOT NULL without db_default",
    ("measures", "0002_objectivevalue_withdrawal"): "objectivevalue withdrawal fields, foreign key index, constraint",
}
# Data migrations read and found safe (what they do, on how many rows).
REVIEWED = {
    (
        "campaigns",
        "0003_dossier_reopened_state",
    ): "the returned dossiers reopened since become `reopened` (those dossiers and their events only)",
    (
        "campaigns",
        "0004_dossier_region_alter_campaign_kind_and_more",
    ): "no data: the (campaign, region) unique index built CONCURRENTLY, the contract-or-région check NOT VALID "
    "then validated (PostgreSQL); plain constraints on SQLite",
    ("reports", "0003_budget_buckets"): "marks the per-authority aggregates stale (one row per authority and year)",
}


def is_growing(app_label, model_name):
    return model_name.startswith("historical") or model_name in GROWING_TABLES.get(app_label, set())


def has_index(field):
    return bool(getattr(field, "db_index", False) or getattr(field, "unique", False)) and not field.many_to_many


def type_changes(old, new):
    """True when PostgreSQL must rewrite the column: another type, a shorter varchar, another decimal scale."""
    old_path, new_path = old.deconstruct()[1], new.deconstruct()[1]
    if old_path != new_path:
        return not (isinstance(old, models.CharField) and type(new) is models.TextField)
    if getattr(new, "max_length", None) is not None and (old.max_length or 0) > new.max_length:
        return True
    if isinstance(new, models.DecimalField):
        return old.decimal_places != new.decimal_places or old.max_digits > new.max_digits
    return False


def blocking_reasons(app_label, operation, state, created):
    """Why `operation` (about to run on `state`) blocks the previous version or locks a growing table; [] if safe.

    `created`: the models the same migration created (free to alter)."""
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        reasons = []
        for inner in operation.database_operations:
            reasons += blocking_reasons(app_label, inner, state, created)
            inner.state_forwards(app_label, state)
        return reasons
    if isinstance(operation, migrations.RunPython | migrations.RunSQL):
        return ["données modifiées (RunPython/RunSQL) : à relire et à inscrire dans REVIEWED"]
    model_name = getattr(operation, "model_name_lower", None) or getattr(operation, "name_lower", None)
    if isinstance(operation, migrations.RenameModel):
        model_name = operation.old_name_lower
    if model_name is None or not is_growing(app_label, model_name) or model_name in created:
        return []
    if isinstance(operation, migrations.AddField):
        field = operation.field
        if field.many_to_many:
            return []
        reasons = []
        if not field.null and field.db_default is NOT_PROVIDED:
            reasons.append(f"AddField {model_name}.{operation.name} NOT NULL sans db_default")
        if has_index(field):
            reasons.append(f"AddField {model_name}.{operation.name} crée un index sans CONCURRENTLY")
        return reasons
    if isinstance(operation, migrations.AlterField):
        old = state.models[app_label, model_name].fields[operation.name]
        new = operation.field
        reasons = []
        if type_changes(old, new):
            reasons.append(f"AlterField {model_name}.{operation.name} change le type de la colonne (réécriture)")
        if old.null and not new.null:
            reasons.append(f"AlterField {model_name}.{operation.name} passe en NOT NULL (parcours sous verrou)")
        if has_index(new) and not has_index(old):
            reasons.append(f"AlterField {model_name}.{operation.name} crée un index sans CONCURRENTLY")
        return reasons
    if isinstance(operation, AddIndexConcurrently):
        return []
    two_steps = (
        migrations.RemoveField,
        migrations.RenameField,
        migrations.DeleteModel,
        migrations.RenameModel,
        migrations.AlterModelTable,
    )
    if isinstance(operation, two_steps):
        return [f"{type(operation).__name__} sur {model_name} en une étape (la version précédente l'utilise encore)"]
    if isinstance(operation, migrations.AddIndex | migrations.AddConstraint | migrations.AlterUniqueTogether):
        return [f"{type(operation).__name__} sur {model_name} sans CONCURRENTLY / NOT VALID (verrou d'écriture)"]
    return []


def migration_reasons(app_label, migration, state):
    """Every blocking reason of `migration`, applying its operations to `state` as it goes."""
    reasons, created = [], set()
    for operation in migration.operations:
        if not isinstance(operation, migrations.SeparateDatabaseAndState):
            reasons += blocking_reasons(app_label, operation, state, created)
            operation.state_forwards(app_label, state)
        else:
            reasons += blocking_reasons(app_label, operation, state.clone(), created)
            for inner in operation.state_operations:
                inner.state_forwards(app_label, state)
        if isinstance(operation, migrations.CreateModel):
            created.add(operation.name_lower)
    return reasons


@pytest.fixture(scope="module")
def project_migrations():
    """[(app, name, reasons)] for every migration of the project, in the order they apply."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan, seen = [], set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    state, found = ProjectState(), []
    for app_label, name in plan:
        migration = loader.graph.nodes[app_label, name]
        if app_label in PROJECT_APPS:
            found.append((app_label, name, migration_reasons(app_label, migration, state)))
        else:
            for operation in migration.operations:
                operation.state_forwards(app_label, state)
    return found


def test_no_new_migration_blocks_a_growing_table(project_migrations):
    problems = []
    for app_label, name, reasons in project_migrations:
        key = (app_label, name)
        if key in ALREADY_APPLIED:
            continue
        data = [reason for reason in reasons if reason.startswith("données")]
        locks = [reason for reason in reasons if not reason.startswith("données")]
        if locks or (data and key not in REVIEWED):
            problems.append(f"{app_label}.{name}: {'; '.join(locks + ([] if key in REVIEWED else data))}")
    assert not problems, "Migrations bloquantes (voir la docstring de ce fichier) :\n" + "\n".join(problems)


def test_the_lists_name_existing_migrations_that_need_them(project_migrations):
    """ALREADY_APPLIED and REVIEWED do not rot: each entry exists and is still needed."""
    reasons = {(app_label, name): found for app_label, name, found in project_migrations}
    for key in ALREADY_APPLIED:
        assert reasons.get(key), f"{key} n'est pas bloquante (ou n'existe plus) : retirez-la d'ALREADY_APPLIED"
    for key in REVIEWED:
        assert any(reason.startswith("données") for reason in reasons.get(key, [])), f"{key} : retirez-la de REVIEWED"


def test_growing_tables_exist(project_migrations):
    from django.apps import apps

    for app_label, model_names in GROWING_TABLES.items():
        for model_name in model_names:
            assert apps.get_model(app_label, model_name)


# The rules themselves, on made-up operations against the current schema -----------------------------------------


@pytest.fixture(scope="module")
def current_state():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return loader.project_state()


def reasons_of(state, *operations, app_label="contracts"):
    migration = SimpleNamespace(operations=list(operations))
    return migration_reasons(app_label, migration, state.clone())


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        (migrations.AddField("action", "score", models.IntegerField(default=0)), "NOT NULL sans db_default"),
        (migrations.AddField("historicalaction", "score", models.IntegerField(default=0)), "NOT NULL sans db_default"),
        (
            migrations.AddField("action", "owner", models.ForeignKey("accounts.User", models.SET_NULL, null=True)),
            "crée un index",
        ),
        (migrations.AlterField("action", "title", models.TextField(max_length=10)), None),
        (migrations.AlterField("action", "title", models.CharField(max_length=5)), "change le type"),
        (migrations.AlterField("action", "title", models.IntegerField()), "change le type"),
        (migrations.RemoveField("action", "title"), "RemoveField sur action en une étape"),
        (migrations.RenameField("action", "title", "name"), "RenameField"),
        (migrations.AddIndex("action", models.Index(fields=["title"], name="action_title_idx")), "AddIndex"),
        (
            migrations.AddConstraint("budgetline", models.CheckConstraint(condition=models.Q(id__gt=0), name="c")),
            "AddConstraint",
        ),
        (migrations.RunPython(migrations.RunPython.noop), "RunPython"),
    ],
)
def test_blocking_operations_are_caught(current_state, operation, expected):
    reasons = reasons_of(current_state, operation)
    if expected is None:
        assert reasons == []
    else:
        assert any(expected in reason for reason in reasons), reasons


@pytest.mark.parametrize(
    "operation",
    [
        migrations.AddField("action", "score", models.IntegerField(null=True)),
        migrations.AddField("action", "score", models.IntegerField(db_default=0)),
        migrations.AddField("action", "tags", models.ManyToManyField("nomenclatures.Option")),
        migrations.AlterField(
            "actionyear", "spent_state", models.DecimalField(max_digits=16, decimal_places=2, null=True)
        ),
        AddIndexConcurrently("action", models.Index(fields=["title"], name="action_title_idx")),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField("action", "title")]),
        # Tables that do not grow with the data: free.
        migrations.AddIndex("contracttype", models.Index(fields=["label"], name="contracttype_label_idx")),
    ],
)
def test_safe_operations_pass(current_state, operation):
    assert reasons_of(current_state, operation) == []


def test_a_table_created_by_the_same_migration_is_free(current_state, monkeypatch):
    monkeypatch.setitem(GROWING_TABLES, "contracts", {*GROWING_TABLES["contracts"], "action2"})
    create = migrations.CreateModel("Action2", [("id", models.BigAutoField(primary_key=True))])
    index = migrations.AddIndex("action2", models.Index(fields=["id"], name="action2_id_idx"))
    assert reasons_of(current_state, create, index) == []
    # The same index in a later migration, once the table holds data, blocks it.
    later = current_state.clone()
    create.state_forwards("contracts", later)
    assert reasons_of(later, index) == ["AddIndex sur action2 sans CONCURRENTLY / NOT VALID (verrou d'écriture)"]
