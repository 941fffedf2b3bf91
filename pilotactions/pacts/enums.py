from django.db import models


class PactStatus(models.TextChoices):
    """A pact's life: built by the regional commissioner, then finalised (with its date), or abandoned."""

    BUILDING = "building", "En construction"
    FINALISED = "finalised", "Finalisé"
    ABANDONED = "abandoned", "Abandonné"


class PactTerritoryKind(models.TextChoices):
    """The delimited territory a pact is signed for (the communes and EPCI come from the referential)."""

    QUARTIER = "quartier", "Quartier"
    COMMUNES = "communes", "Commune(s)"
    EPCIS = "epcis", "Communauté(s) de communes ou d’agglomération (EPCI)"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"


class PactActionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    WITHDRAWN = "withdrawn", "Retirée"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Choix unique"
    MULTIPLE = "multiple", "Choix multiples"
    SCALE = "scale", "Échelle"
    NUMBER = "number", "Nombre"
    DATE = "date", "Date"
    TEXT = "text", "Texte libre"
    YES_NO = "yes_no", "Oui / non"


class QuestionScope(models.TextChoices):
    PACT = "pact", "Par pacte"
    ACTION = "action", "Par action"
