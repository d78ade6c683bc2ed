"""The last resort: a value the database refused as data (not a bug of ours) becomes a 422 in
French instead of a 500, for both front ends (``server/api/errors.py``, ``server/web/errors.py``).

The schemas and ``server/api/input_bounds.py`` refuse such values first, field by field; this
catches what reaches the database through a path they do not cover (a web form, a future route):
PostgreSQL's data errors (NUL in text, a number or a date out of range, SQLSTATE class 22), an
integer SQLite cannot bind, a date that overflows when converted. Anything else stays a 500.
"""

from __future__ import annotations

from sqlalchemy.exc import DataError, StatementError

from server.errors import Invalid

OUT_OF_RANGE = Invalid("value_out_of_range", "Une valeur de la requête est hors des limites acceptées")
NUL = Invalid("control_characters", "Le texte contient des caractères de contrôle interdits")


def refusal_of(error: BaseException) -> Invalid | None:
    """The French refusal for a data error the database (or its driver) raised; None otherwise."""
    cause = error.orig if isinstance(error, StatementError) and error.orig is not None else error
    if not isinstance(error, DataError) and not isinstance(cause, OverflowError):
        return None
    return NUL if "0x00" in str(cause) else OUT_OF_RANGE
