from django.db import models

STATUS_LIST = "statuts_mesures_nationales"  # option list of the statuses (a national admin can extend it)
AXIS_LIST = "axes_pacte"
PROGRAMME_LIST = "programmes_budgetaires"


class RateNote(models.TextChoices):
    """What the dashboard's rate column says instead of a number (seed lines 157-654)."""

    NOT_AVAILABLE = "not_available", "Données non disponibles"
    NOT_STARTED = "not_started", "Non démarré"
    NOT_STARTED_F = "not_started_f", "Non démarrée"
    PAUSED = "paused", "Lancement prévu en 2025 mais mis en pause"


class RateKind(models.TextChoices):
    """Where an objective's realisation rate comes from."""

    COMPUTED = "computed", "Calculé (valeur ÷ cible)"
    DECLARED = "declared", "Déclaré"
    NOTE = "note", "Mention"
    NONE = "none", "Non renseigné"


class StatusChangeState(models.TextChoices):
    """A status set for a measure or an objective.

        proposed ──validate (DIPLP)──▶ validated
           │  └──reject (DIPLP, with a comment)──▶ rejected
           └──a newer proposal for the same measure or objective──▶ withdrawn

    A measure pilot proposes; the national delegation validates or rejects. A status the national
    delegation sets itself is validated at once. Only validated statuses reach the dashboard.
    """

    PROPOSED = "proposed", "Proposé, à valider"
    VALIDATED = "validated", "Validé"
    REJECTED = "rejected", "Refusé"
    WITHDRAWN = "withdrawn", "Remplacé"


class CommitteeState(models.TextChoices):
    """A follow-up committee session.

        draft ──open──▶ open ──close──▶ closed

    - open (DIPLP): one update request per piloting administration, e-mailed, with the deadline;
      automatic reminders before the deadline.
    - close (DIPLP): the dashboard is frozen as it stands (for the session's period); the minutes
      can still be completed afterwards, the frozen dashboard never changes.
    """

    DRAFT = "draft", "En préparation"
    OPEN = "open", "Mise à jour en cours"
    CLOSED = "closed", "Close"
