"""Writes to the option lists: the loader and the national administrators' edits."""

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from pilotactions.accounts.perms import require
from pilotactions.core.audit import audit_event_record

from .models import Option, OptionList
from .perms import can_manage_nomenclatures

DATA_FILE = Path(__file__).resolve().parent / "data" / "nomenclatures.yaml"


@transaction.atomic
def nomenclatures_load(*, data_file: Path = DATA_FILE) -> dict[str, int]:
    """Create the lists and options missing from the database; never overwrite an existing option.

    Existing options may have been renamed, reordered or retired by a national administrator: those
    edits win over the data file, so that running the loader again changes nothing.
    """
    document = yaml.safe_load(data_file.read_text(encoding="utf-8"))
    created = {"listes": 0, "options": 0}
    for spec in document["lists"]:
        option_list, list_created = OptionList.objects.get_or_create(
            code=spec["code"],
            defaults={
                "title": spec["title"],
                "confidence": spec.get("confidence", ""),
                "source_lines": spec.get("source_lines", "")[:255],
            },
        )
        created["listes"] += list_created
        existing = set(option_list.options.values_list("code", flat=True))
        for raw in spec["options"]:
            if raw["code"] in existing:
                continue
            parent = None
            if raw.get("parent"):
                parent = Option.objects.get(code=raw["parent"], option_list__code="axes_pacte")
            Option.objects.create(
                option_list=option_list,
                code=raw["code"],
                label=raw["label"],
                short_label=raw.get("short_label", ""),
                order=raw["order"],
                parent=parent,
                group=raw.get("group", ""),
                inferred=raw.get("inferred", False),
                note=raw.get("note", ""),
            )
            created["options"] += 1
    return created


def _bump_version(option_list: OptionList) -> None:
    OptionList.objects.filter(pk=option_list.pk).update(version=F("version") + 1)


@transaction.atomic
def option_create(
    *, option_list: OptionList, code: str, label: str, role, parent: Option | None = None, group: str = ""
) -> Option:
    require(can_manage_nomenclatures(role))
    order = (option_list.options.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    option = Option(
        option_list=option_list, code=code.strip().upper(), label=label.strip(), order=order, parent=parent, group=group
    )
    option.full_clean()
    option.save()
    _bump_version(option_list)
    audit_event_record(
        actor=role,
        verb="option_created",
        target=option,
        message=f"Option « {option.label} » ajoutée à la liste « {option_list.title} ».",
    )
    return option


@transaction.atomic
def option_update(*, option: Option, role, label: str, short_label: str = "", order: int | None = None) -> Option:
    """Rename or reorder an option; its code, stored in the data, never changes."""
    require(can_manage_nomenclatures(role))
    old_label = option.label
    option.label = label.strip()
    option.short_label = short_label.strip()
    if order is not None:
        option.order = order
    option.full_clean()
    option.save()
    _bump_version(option.option_list)
    audit_event_record(
        actor=role,
        verb="option_updated",
        target=option,
        message=f"Option « {old_label} » renommée en « {option.label} ».",
        data={"old_label": old_label, "new_label": option.label},
    )
    return option


@transaction.atomic
def option_set_active(*, option: Option, role, is_active: bool) -> Option:
    """Retire an option (no longer offered in forms, still shown on old data) or restore it."""
    require(can_manage_nomenclatures(role))
    if option.is_active == is_active:
        raise ValidationError("Cette option est déjà dans cet état.")
    option.is_active = is_active
    option.save(update_fields=["is_active"])
    _bump_version(option.option_list)
    verb = "option_restored" if is_active else "option_retired"
    word = "rétablie" if is_active else "retirée"
    audit_event_record(actor=role, verb=verb, target=option, message=f"Option « {option.label} » {word}.")
    return option
