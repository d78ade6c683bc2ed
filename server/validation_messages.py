"""French messages for pydantic's validation errors, naming the field as the user sees it.

Used by the JSON API (422 bodies) and the CLI (create-user), whatever the front end.
"""

from __future__ import annotations

from typing import Any

from shared.schemas.labels import field_label
from shared.validation import ValidationFailure

# pydantic error type → French message (ctx values are filled in with str.format).
_PYDANTIC_MESSAGES = {
    "missing": "champ obligatoire",
    "extra_forbidden": "champ inconnu",
    "string_type": "texte attendu",
    "string_too_short": "trop court ({min_length} caractère(s) au moins)",
    "string_too_long": "trop long ({max_length} caractères au plus)",
    "string_pattern_mismatch": "format invalide",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_type": "nombre attendu",
    "float_parsing": "nombre attendu",
    "bool_type": "vrai ou faux attendu",
    "bool_parsing": "vrai ou faux attendu",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "date_type": "date attendue (AAAA-MM-JJ)",
    "date_parsing": "date invalide (AAAA-MM-JJ attendu)",
    "date_from_datetime_parsing": "date invalide (AAAA-MM-JJ attendu)",
    "date_from_datetime_inexact": "date sans heure attendue (AAAA-MM-JJ)",
    "datetime_type": "date et heure attendues (ISO 8601)",
    "datetime_parsing": "date et heure invalides (ISO 8601 attendu)",
    "datetime_from_date_parsing": "date et heure invalides (ISO 8601 attendu)",
    "timezone_aware": "date et heure avec fuseau horaire attendues",
    "enum": "valeur non reconnue (valeurs possibles : {expected})",
    "literal_error": "valeur non reconnue (valeurs possibles : {expected})",
    "list_type": "liste attendue",
    "too_long": "trop d'éléments ({max_length} au plus)",
    "too_short": "pas assez d'éléments ({min_length} au moins)",
    "model_type": "objet JSON attendu",
    "dict_type": "objet JSON attendu",
    "model_attributes_type": "objet JSON attendu",
    "uuid_parsing": "identifiant UUID attendu",
    "json_invalid": "JSON invalide",
    "string_unicode": "texte invalide (caractère unicode incorrect)",
    "string_sub_type": "texte attendu",
}


def location_label(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    return field_label(parts) if parts else "Requête"


def _french_value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.replace("' or '", "' ou '")
    return value


def translate_validation_error(error: dict[str, Any]) -> tuple[str, str, str]:
    """(field path, French message, code) for one pydantic error."""
    loc = tuple(error.get("loc", ()))
    field = ".".join(str(p) for p in loc if p not in ("body", "query", "path", "header"))
    ctx = error.get("ctx") or {}
    failure = ctx.get("error")
    if isinstance(failure, ValidationFailure):
        return field, failure.message, failure.code
    kind = str(error.get("type", "value_error"))
    template = _PYDANTIC_MESSAGES.get(kind)
    if template is None:
        return field, f"valeur invalide ({error.get('msg', kind)})", kind
    try:
        message = template.format(**{k: _french_value(v) for k, v in ctx.items()})
    except (KeyError, IndexError):
        message = template
    return field, message, kind
