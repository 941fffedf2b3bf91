from django.db import models


class Zone(models.TextChoices):
    """COG zones. `com`: only Saint-Pierre-et-Miquelon (975) and Saint-Martin (978) are kept."""

    METRO = "metro", "France métropolitaine"
    DROM = "drom", "Département ou région d’outre-mer"
    COM = "com", "Collectivité d’outre-mer"


class EpciKind(models.TextChoices):
    CC = "CC", "Communauté de communes"
    CA = "CA", "Communauté d’agglomération"
    CU = "CU", "Communauté urbaine"
    METRO = "METRO", "Métropole"
    MET69 = "MET69", "Métropole de Lyon"


class AuthorityLevel(models.TextChoices):
    """The two levels at which the State contracts (seed lines 1195-1202)."""

    DEPARTEMENTAL = "departemental", "Échelle départementale"
    INTERCOMMUNAL = "intercommunal", "Échelle intercommunale"


class AuthorityKind(models.TextChoices):
    """Codes of the nomenclature `types_collectivites_cocontractantes`."""

    CONSEIL_DEPARTEMENTAL = "CONSEIL_DEPARTEMENTAL", "Conseil départemental"
    CSP = "CSP", "Collectivité à statut particulier"
    COM = "COM", "Collectivité d’outre-mer"
    METROPOLE = "METROPOLE", "Métropole"
    CU = "CU", "Communauté urbaine"
    CA = "CA", "Communauté d’agglomération"
    VILLE = "VILLE", "Ville"
