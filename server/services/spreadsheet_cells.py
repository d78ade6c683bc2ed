"""Cells of a CSV export that a spreadsheet will not run (OWASP « CSV injection »).

Excel, LibreOffice and Google Sheets read a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula (``=HYPERLINK(...)`` sends data elsewhere, ``=cmd|...`` ran
commands in older versions). Text typed by users (a care type, a comment) is therefore prefixed
with a single quote, which the spreadsheet shows as text; numbers we write ourselves stay numbers.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """``value`` as a spreadsheet takes it literally: text starting like a formula gets « ' »."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_row(row: tuple[object, ...]) -> list[object]:
    return [inert(value) for value in row]
