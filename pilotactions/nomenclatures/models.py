"""Versioned option lists (nomenclatures): what agents pick from in every form.

Data store option *codes*; labels may be renamed and options retired without touching the data.
A list's `version` goes up by one at every change of its options, and each option keeps its full
history (django-simple-history), so old data stay readable with the label of their time.
"""

from django.db import models
from simple_history.models import HistoricalRecords


class OptionList(models.Model):
    code = models.SlugField("code", max_length=64, unique=True)
    title = models.CharField("titre", max_length=255)
    version = models.PositiveIntegerField("version", default=1)
    confidence = models.CharField("fiabilité de la source", max_length=16, blank=True)
    source_lines = models.CharField("lignes du bilan source", max_length=255, blank=True)

    class Meta:
        verbose_name = "liste de valeurs"
        verbose_name_plural = "listes de valeurs"
        ordering = ["code"]

    def __str__(self):
        return self.title


class OptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def of_list(self, list_code: str):
        return self.filter(option_list__code=list_code)


class Option(models.Model):
    option_list = models.ForeignKey(OptionList, verbose_name="liste", on_delete=models.CASCADE, related_name="options")
    code = models.CharField(
        "code", max_length=64, help_text="Code stable stocké dans les données et les exports ; jamais modifié."
    )
    label = models.CharField("libellé", max_length=255)
    short_label = models.CharField("libellé court", max_length=120, blank=True)
    order = models.PositiveIntegerField("ordre", default=0)
    parent = models.ForeignKey(
        "self",
        verbose_name="option parente",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="Par exemple l’axe d’une sous-thématique.",
    )
    group = models.CharField("groupe", max_length=64, blank=True)
    is_active = models.BooleanField(
        "active", default=True, help_text="Une option retirée reste lisible sur les données anciennes."
    )
    inferred = models.BooleanField("déduite", default=False, help_text="Absente du bilan imprimé, déduite du texte.")
    note = models.TextField("note", blank=True)
    history = HistoricalRecords()

    objects = OptionQuerySet.as_manager()

    class Meta:
        verbose_name = "option"
        verbose_name_plural = "options"
        ordering = ["option_list", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["option_list", "code"], name="option_unique_code_per_list")]

    def __str__(self):
        return self.label
