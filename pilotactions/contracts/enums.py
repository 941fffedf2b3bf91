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
