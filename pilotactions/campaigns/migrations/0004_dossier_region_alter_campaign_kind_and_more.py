"""A dossier belongs to a contract or, for the `enquete` campaigns, to a région.

Written not to lock the dossier table while the previous version serves (tests/core/test_migration_safety.py):
the région column has no index of its own, and on PostgreSQL the unique index is built CONCURRENTLY, then
attached as the constraint, and the check is added NOT VALID, then validated (which takes no write lock).
"""

import django.db.models.deletion
from django.db import migrations, models

UNIQUE = models.UniqueConstraint(fields=("campaign", "region"), name="dossier_unique_region_per_campaign")
CHECK = models.CheckConstraint(
    condition=models.Q(contract__isnull=False, region__isnull=True)
    | models.Q(contract__isnull=True, region__isnull=False),
    name="dossier_contract_or_region",
)


def add_constraints(apps, schema_editor):
    dossier = apps.get_model("campaigns", "Dossier")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.add_constraint(dossier, UNIQUE)
        schema_editor.add_constraint(dossier, CHECK)
        return
    table = dossier._meta.db_table
    schema_editor.execute(
        f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {UNIQUE.name} ON {table} (campaign_id, region_id)"
    )
    schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {UNIQUE.name} UNIQUE USING INDEX {UNIQUE.name}")
    check_sql = CHECK._get_check_sql(dossier, schema_editor)
    schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {CHECK.name} CHECK ({check_sql}) NOT VALID")
    schema_editor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {CHECK.name}")


def remove_constraints(apps, schema_editor):
    dossier = apps.get_model("campaigns", "Dossier")
    schema_editor.remove_constraint(dossier, CHECK)
    schema_editor.remove_constraint(dossier, UNIQUE)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("campaigns", "0003_dossier_reopened_state"),
        ("contracts", "0003_action_form_token"),
        ("territories", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="region",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="survey_dossiers",
                to="territories.region",
                verbose_name="région",
            ),
        ),
        migrations.AlterField(
            model_name="campaign",
            name="kind",
            field=models.CharField(
                choices=[
                    ("programmation", "Programmation (contenu des contrats)"),
                    ("suivi", "Suivi (exécution de l’année)"),
                    ("enquete", "Enquête auprès des commissaires (pactes locaux)"),
                ],
                max_length=16,
                verbose_name="nature",
            ),
        ),
        migrations.AlterField(
            model_name="dossier",
            name="contract",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dossiers",
                to="contracts.contract",
                verbose_name="contrat",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(model_name="dossier", constraint=UNIQUE),
                migrations.AddConstraint(model_name="dossier", constraint=CHECK),
            ],
            database_operations=[migrations.RunPython(add_constraints, remove_constraints)],
        ),
    ]
