"""The API's errors: `ApiProblem`, raised by endpoints, and pydantic's validation errors said in French; both are
answered in the one problem format of core.problems (RFC 9457)."""


class ApiProblem(Exception):
    """Raised anywhere in an endpoint; answered as a problem document."""

    def __init__(self, status: int, detail: str, *, errors: dict | None = None, headers: dict | None = None, **extra):
        self.status = status
        self.detail = detail
        self.errors = errors or {}
        self.headers = headers or {}
        self.extra = extra
        super().__init__(detail)


# Pydantic's error types, said in French (the fallback keeps the type's code, never English prose).
PYDANTIC_MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "int_parsing": "Saisissez un nombre entier.",
    "int_type": "Saisissez un nombre entier.",
    "int_from_float": "Saisissez un nombre entier.",
    "float_parsing": "Saisissez un nombre.",
    "decimal_parsing": "Saisissez un nombre décimal, par exemple 12500.50.",
    "decimal_type": "Saisissez un nombre décimal, par exemple 12500.50.",
    "string_type": "Saisissez un texte.",
    "bool_parsing": "Saisissez true ou false.",
    "bool_type": "Saisissez true ou false.",
    "date_parsing": "Saisissez une date au format AAAA-MM-JJ.",
    "date_from_datetime_parsing": "Saisissez une date au format AAAA-MM-JJ.",
    "datetime_parsing": "Saisissez une date et une heure au format ISO 8601 (AAAA-MM-JJTHH:MM:SS+00:00).",
    "datetime_from_date_parsing": "Saisissez une date et une heure au format ISO 8601 (AAAA-MM-JJTHH:MM:SS+00:00).",
    "list_type": "Saisissez une liste.",
    "dict_type": "Saisissez un objet JSON.",
    "model_type": "Saisissez un objet JSON.",
    "model_attributes_type": "Saisissez un objet JSON.",
    "json_invalid": "Le corps de la requête n’est pas du JSON valide.",
    "extra_forbidden": "Ce champ n’existe pas.",
    "greater_than_equal": "La valeur est trop petite.",
    "greater_than": "La valeur est trop petite.",
    "less_than_equal": "La valeur est trop grande.",
    "less_than": "La valeur est trop grande.",
    "string_too_long": "Le texte est trop long.",
    "string_too_short": "Le texte est trop court.",
    "too_long": "La liste est trop longue.",
    "literal_error": "Valeur non permise.",
    "enum": "Valeur non permise.",
    "int_parsing_size": "Ce nombre est trop grand.",
    "string_pattern_mismatch": "La valeur n’a pas le format attendu.",
    "decimal_max_digits": "Ce montant est trop grand.",
    "decimal_max_places": "Deux décimales au plus (centimes).",
    "decimal_whole_digits": "Ce montant est trop grand.",
    "finite_number": "Saisissez un nombre fini.",
    "uuid_parsing": "Saisissez un identifiant UUID.",
    "uuid_type": "Saisissez un identifiant UUID.",
    "unicode_text": "Le texte contient des caractères qui ne sont pas de l’Unicode valide.",
}


def pydantic_errors(errors: list[dict]) -> dict[str, list[str]]:
    """{"field.sub": [French message]} from ninja's validation errors (`loc` = ["body", "payload", "title"]…)."""
    by_field: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in {"body", "query", "path", "header"}:
            loc = loc[1:]
        if loc and loc[0] in {"payload", "filters", "params"}:
            loc = loc[1:]
        field = ".".join(loc) or "__all__"
        kind = error.get("type", "")
        message = PYDANTIC_MESSAGES.get(kind, f"Valeur non valide ({kind}).")
        by_field.setdefault(field, []).append(message)
    return by_field
