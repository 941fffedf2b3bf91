from django.db import models


class ContractStatus(models.TextChoices):
    """A contract's life: `preparation` → `signed` (with a signature date) → possibly `terminated`;
    or `not_signed` (with the reason) when the authority declined."""

    PREPARATION = "preparation", "En préparation"
    SIGNED = "signed", "Signé"
    NOT_SIGNED = "not_signed", "Non signé"
    TERMINATED = "terminated", "Résilié"


class CeilingMode(models.TextChoices):
    """What exceeding the State share ceiling does: refuse the save, or ask for a justification and flag
    the action for the State validator."""

    BLOCK = "block", "Bloquant"
    WARN = "warn", "Avertissement avec justification"


class Financer(models.TextChoices):
    STATE = "state", "État"
    AUTHORITY = "authority", "Collectivité co-contractante"
    THIRD_PARTY = "third_party", "Financeur tiers"


class ActionStatus(models.TextChoices):
    """`active` actions count in every statistic; `withdrawn` ones are kept, with a reason, and leave them."""

    ACTIVE = "active", "Active"
    WITHDRAWN = "withdrawn", "Retirée"


class DocumentKind(models.TextChoices):
    SIGNED_CONTRACT = "signed_contract", "Contrat signé"
    DIAGNOSTIC = "diagnostic", "Diagnostic territorial"
    AMENDMENT = "amendment", "Avenant signé"
    OTHER = "other", "Autre document"
    IMPORT_FILE = "import_file", "Fichier d’import d’actions"  # kept by the import page, never uploaded by hand


class ImportPhase(models.TextChoices):
    """An import from a contract's page: `dry_run` first (everything checked, nothing kept), then `import`
    (the same stored file, for real) once the person confirms a dry run without error."""

    DRY_RUN = "dry_run", "Vérification"
    IMPORT = "import", "Import"


class ImportStatus(models.TextChoices):
    """Each phase runs as a background task: `queued` → `running` → `done` (its result stored) or `failed`
    (the file could not be read: the French reason is stored)."""

    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Échec"
