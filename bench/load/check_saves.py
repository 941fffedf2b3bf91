"""After a load run: is every acknowledged save in the database? (« no lost update »)

    DATABASE_URL=postgres://…/loadtest .venv/bin/python bench/load/check_saves.py var/load/saves.jsonl

The locustfile logs every save attempt (what it sent, when, how it ended). Two checks, per saved record —
an action's follow-up for the campaign's year (`execution:<reference>`) or a budget line (`budget:<id>`):
1. every acknowledged save (the server answered « enregistré » with its redirect) is in the record's history
   (django-simple-history writes a row per save, in the same transaction): it was committed, with all its values;
2. no acknowledged save was undone: the record holds now the values of a save that no acknowledged save
   followed (none was *sent after* the save whose values are there was acknowledged), and its history never
   goes back to values it held before (a stale write over a follow-up: each save's assessment is unique).
   A save refused by the optimistic lock (conflict) is no loss: its author was told and given the form back.
Exit status 1 when a save is lost, with the first ones listed.
"""

import sys
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prepare import setup_django
from scenario import SAVED, read_saves

EXECUTION_FIELDS = ["progress_status", "deployment_satisfactory", "spent_state", "beneficiaries_reached", "assessment"]


def normalise(field: str, value):
    """The values as the log writes them (strings) and as the database holds them, made comparable."""
    if value is None or value == "":
        return None
    if field == "deployment_satisfactory":
        return value if isinstance(value, bool) else value == "true"
    if field in ("progress_status", "beneficiaries_reached"):
        return int(value)
    if field in ("spent_state", "planned"):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    return str(value)


def values_of(save: dict) -> dict:
    return {f: normalise(f, v) for f, v in save["values"].items()}


def check(saves: list[dict]) -> dict:
    from pilotactions.contracts.models import ActionYear, BudgetLine

    by_target = defaultdict(list)
    for save in saves:
        by_target[save["target"]].append(save)
    outcomes = Counter(f"{s['kind']}:{s['outcome']}" for s in saves)
    missing, lost, reverted = [], [], []
    for target, attempts in by_target.items():
        kind, key = target.split(":", 1)
        if kind == "execution":
            year = ActionYear.objects.filter(action__reference=key, year=attempts[0]["year"]).first()
            if year is None:
                missing.extend(s for s in attempts if s["outcome"] == SAVED)
                continue
            fields = EXECUTION_FIELDS
            current = {f: normalise(f, getattr(year, f"{f}_id" if f == "progress_status" else f)) for f in fields}
            history = year.history.values(*[f"{f}_id" if f == "progress_status" else f for f in fields])
            history = [
                {f: normalise(f, row[f"{f}_id" if f == "progress_status" else f]) for f in fields} for row in history
            ]
        else:
            line = BudgetLine.objects.filter(pk=int(key)).first()
            if line is None:
                missing.extend(s for s in attempts if s["outcome"] == SAVED)
                continue
            current = {"planned": normalise("planned", line.planned)}
            history = [{"planned": normalise("planned", p)} for p in line.history.values_list("planned", flat=True)]
        acknowledged = [s for s in attempts if s["outcome"] == SAVED]
        for save in acknowledged:
            if values_of(save) not in history:
                missing.append(save)
        holders = [s for s in attempts if values_of(s) == current]
        if not holders:
            lost.extend(acknowledged)  # the record holds none of the values sent
            continue
        held_since = max(s["done"] for s in holders)
        lost.extend(s for s in acknowledged if s["sent"] > held_since)
    lost.extend(s for s in reverted if s not in lost)
    return {"outcomes": outcomes, "targets": len(by_target), "missing": missing, "lost": lost}


def _reverts(history: list[dict], attempts: list[dict]) -> list[dict]:
    """Acknowledged saves undone by a later write that put back older values (no save sent them again): each
    save's assessment is unique, so values seen before in the history can only come back through a stale write."""
    undone = []
    seen = []
    for previous, row in zip([None, *history], history, strict=False):
        if row != previous and row in seen:
            undone.extend(s for s in attempts if s["outcome"] == SAVED and values_of(s) == previous)
        seen.append(row)
    return undone


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0] if argv else Path(__file__).resolve().parents[2] / "var" / "load" / "saves.jsonl")
    if not path.exists():
        print(f"Journal des enregistrements introuvable : {path}.", file=sys.stderr)
        return 2
    setup_django()
    saves = read_saves(path)
    result = check(saves)
    acknowledged = sum(1 for s in saves if s["outcome"] == SAVED)
    print(
        f"{len(saves)} tentatives d’enregistrement sur {result['targets']} enregistrements, {acknowledged} acquittées."
    )
    for outcome, count in sorted(result["outcomes"].items()):
        print(f"  {outcome:<24} {count}")
    print(f"Acquittées absentes de l’historique : {len(result['missing'])}.")
    print(f"Acquittées écrasées sans conflit signalé (mises à jour perdues) : {len(result['lost'])}.")
    for save in (result["missing"] + result["lost"])[:10]:
        print(f"  {save['target']} par {save['user']} : {save['values']}")
    return 1 if result["missing"] or result["lost"] else 0


if __name__ == "__main__":
    sys.exit(main())
