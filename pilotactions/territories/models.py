"""The official geography (INSEE Code officiel géographique, 2026) and the co-contracting authorities.

Codes are INSEE codes (EPCI and intercommunal authorities: SIREN). Saint-Pierre-et-Miquelon (975) and
Saint-Martin (978) are stored both as a région and as a département of zone `com`, because they sign
contracts and appear in exports under their own code; `official()` leaves them out of the 18 régions
and 101 départements.
"""

from django.db import models

from .enums import AuthorityKind, AuthorityLevel, EpciKind, Zone

# COG "type de nom en clair": the article used before a name ("du Nord", "de l’Ain", "des Landes"…).
_OF_ARTICLE = {0: "de ", 1: "d’", 2: "du ", 3: "de la ", 4: "des ", 5: "de l’", 6: "des ", 7: "de las ", 8: "de los "}


class TerritoryQuerySet(models.QuerySet):
    def official(self):
        """The 18 régions or 101 départements (without the overseas collectivities 975 and 978)."""
        return self.exclude(zone=Zone.COM)


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    zone = models.CharField("zone", max_length=5, choices=Zone.choices)
    article = models.PositiveSmallIntegerField("type de nom (COG)", default=0)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = "région"
        verbose_name_plural = "régions"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def name_with_article(self):
        return f"{_OF_ARTICLE.get(self.article, 'de ')}{self.name}"


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, related_name="departements")
    zone = models.CharField("zone", max_length=5, choices=Zone.choices)
    article = models.PositiveSmallIntegerField("type de nom (COG)", default=0)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = "département"
        verbose_name_plural = "départements"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def name_with_article(self):
        return f"{_OF_ARTICLE.get(self.article, 'de ')}{self.name}"


class Epci(models.Model):
    """An EPCI à fiscalité propre (CC, CA, CU, métropole), identified by its SIREN."""

    siren = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=5, choices=EpciKind.choices)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Commune(models.Model):
    """A current commune (communes déléguées, associées and municipal arrondissements are not loaded)."""

    code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=200)
    departement = models.ForeignKey(
        Departement, verbose_name="département", on_delete=models.PROTECT, related_name="communes"
    )
    siren = models.CharField("SIREN", max_length=9, blank=True)
    epci = models.ForeignKey(
        Epci, verbose_name="EPCI", null=True, blank=True, on_delete=models.SET_NULL, related_name="communes"
    )
    population = models.PositiveIntegerField("population", null=True, blank=True)

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class AuthorityQuerySet(models.QuerySet):
    def in_territory(self, *, region=None, departement=None, authority=None) -> "AuthorityQuerySet":
        """The one territorial filter of every list, export, cockpit and bilan (docs/decisions.md).

        A région (code) selects the authorities of the région; a département (code) the authorities
        that *cover* it, not only those seated there (the Collectivité européenne d'Alsace for 67 and
        68, Aix-Marseille-Provence for 13 and 83); an authority (code) itself.
        """
        authorities = self
        if region:
            authorities = authorities.filter(region__code=region)
        if departement:
            authorities = authorities.filter(departements__code=departement)
        if authority:
            authorities = authorities.filter(code=authority)
        return authorities

    def counts_by_level(self) -> dict[str, int]:
        counts = dict(self.values_list("level").annotate(n=models.Count("id")).order_by())
        return {level: counts.get(level, 0) for level in AuthorityLevel.values}


class Authority(models.Model):
    """A local authority eligible to co-sign a contract with the State (collectivité co-contractante).

    `code`: the COG code of the département for a conseil départemental (`59`), the collectivity code
    where the authority is not a département (`6AE` Alsace, `20R` Corse, `69M` Métropole de Lyon),
    `975`/`978` for the overseas collectivities, and the SIREN at intercommunal level.
    """

    code = models.CharField("code", max_length=9, unique=True)
    name = models.CharField("nom", max_length=200)
    short_name = models.CharField("nom court", max_length=100)
    level = models.CharField("échelle", max_length=16, choices=AuthorityLevel.choices)
    kind = models.CharField("type de collectivité", max_length=32, choices=AuthorityKind.choices)
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, related_name="authorities")
    # The département of its seat, used wherever one code is needed (exports); see docs/exports.md.
    departement = models.ForeignKey(
        Departement, verbose_name="département du siège", on_delete=models.PROTECT, related_name="+"
    )
    departements = models.ManyToManyField(Departement, verbose_name="départements couverts", related_name="authorities")
    epci = models.ForeignKey(
        Epci, verbose_name="EPCI", null=True, blank=True, on_delete=models.PROTECT, related_name="authorities"
    )
    commune = models.ForeignKey(
        Commune, verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT, related_name="authorities"
    )

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = "collectivité co-contractante"
        verbose_name_plural = "collectivités co-contractantes"
        ordering = ["level", "code"]

    def __str__(self):
        return self.name


def territory_q(authority_path: str, *, region=None, departement=None, authority=None) -> models.Q:
    """`Authority.objects.in_territory` on any model that reaches an authority through `authority_path`
    (`"authority"`, `"contract__authority"`…), as a subquery: no join, so no duplicated rows."""
    if not (region or departement or authority):
        return models.Q()
    selected = Authority.objects.in_territory(region=region, departement=departement, authority=authority)
    return models.Q(**{f"{authority_path}__in": selected.values("id")})
