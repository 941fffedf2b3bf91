"""What agents write: the word and phrase lists of `data/vocabulary.yaml` (read once, at import), and the
French place-name helpers that put them together."""

from pathlib import Path

import yaml

VOCABULARY_FILE = Path(__file__).resolve().parent / "data" / "vocabulary.yaml"

_DATA = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))

VOCABULARY: dict[str, dict] = _DATA["vocabulary"]  # sub-theme code → its words and options
STEERING_TITLES: list[str] = _DATA["steering_titles"]
DIRECTIONS: dict[str, dict[str, list[str]]] = _DATA["directions"]
ASSOCIATION_NAMES: list[str] = _DATA["association_names"]
PILOT_TEMPLATES: dict[str, list[str]] = _DATA["pilot_templates"]
ASSOCIATION_TEMPLATES: dict[str, list[str]] = _DATA["association_templates"]
PUBLIC_PHRASES: dict[str, str] = _DATA["public_phrases"]
PARTNER_PHRASES: dict[str, str] = _DATA["partner_phrases"]
NATURE_SENTENCES: dict[str, str] = _DATA["nature_sentences"]
JUSTIFICATIONS: list[str] = _DATA["justifications"]


def of_place(name: str) -> str:
    """« de Lille », « d’Amiens », « du Havre », « des Mureaux »."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[:1] in "AEIOUYÉÈÊÂÎÔ":
        return "d’" + name
    return "de " + name


def at_place(name: str) -> str:
    """« à Lille », « au Havre », « aux Mureaux »."""
    if name.startswith("Le "):
        return "au " + name[3:]
    if name.startswith("Les "):
        return "aux " + name[4:]
    return "à " + name
