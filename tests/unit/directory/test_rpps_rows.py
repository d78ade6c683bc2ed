"""Parsing extraction lines: columns by header name, both variants, rejections with reasons."""

from __future__ import annotations

import pytest

from bench.make_rpps import activity_line, header_for
from server.directory.rpps_format import Layout, RowParser, RowRejected
from server.directory.writers import BackgroundWriter, Row

RPPS = "10003456786"
VALUES = {
    "Type d'identifiant PP": "8",
    "Identifiant PP": RPPS,
    "Nom d'exercice": "D'ALMEIDA",
    "Prénom d'exercice": " Hélène ",
    "Code profession": "10",
    "Code type savoir-faire": "S",
    "Code savoir-faire": "SM54",
    "Libellé savoir-faire": "Médecine générale",
    "Numéro Voie (coord. structure)": "12",
    "Libellé Voie (coord. structure)": "Rue de Siam",
    "Code postal (coord. structure)": "29200",
    "Téléphone (coord. structure)": "02.98.00.00.01",
    "Téléphone 2 (coord. structure)": "pas de numéro",
}


@pytest.mark.parametrize("variant", ["old", "new"])
def test_both_variants_give_the_same_activity(variant: str) -> None:
    header = header_for(variant)
    parser = RowParser(Layout.from_header("|".join(header) + "|\r\n"))
    row = parser.parse(activity_line(header, VALUES) + "\r\n")
    assert (row.rpps, row.last_name, row.first_name, row.last_name_key, row.first_name_key) == (
        RPPS, "D'ALMEIDA", "Hélène", "DALMEIDA", "HELENE"
    )  # fmt: skip
    assert (row.profession, row.specialty_code, row.specialty) == ("Médecin", "SM54", "Médecine générale")
    assert (row.address, row.postal_code, row.phone, row.phone2) == (
        "12 Rue de Siam",
        "29200",
        "+33298000001",
        None,
    )


def test_a_header_without_a_required_column_is_refused() -> None:
    header = [h for h in header_for("old") if h != "Identifiant PP"]
    with pytest.raises(ValueError, match="Identifiant PP"):
        Layout.from_header("|".join(header) + "|")


def test_savoir_faire_columns_may_be_absent() -> None:
    header = [h for h in header_for("new") if "savoir-faire" not in h]
    parser = RowParser(Layout.from_header("|".join(header) + "|"))
    values = {k: v for k, v in VALUES.items() if "savoir-faire" not in k}
    assert parser.parse(activity_line(header, values)).specialty is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Identifiant PP": "10003456787"}, "clé de contrôle"),
        ({"Identifiant PP": ""}, "identifiant PP manquant"),
        ({"Type d'identifiant PP": "3"}, "type d'identifiant « 3 » inconnu"),
        ({"Nom d'exercice": " "}, "nom d'exercice manquant"),
        ({"Nom d'exercice": "DUPONT2"}, "caractères invalides"),
        ({"Code profession": ""}, "code profession manquant"),
    ],
)
def test_rejected_rows_say_why(change: dict[str, str], reason: str) -> None:
    header = header_for("old")
    parser = RowParser(Layout.from_header("|".join(header) + "|"))
    with pytest.raises(RowRejected, match=reason):
        parser.parse(activity_line(header, {**VALUES, **change}))
    line = activity_line(header, VALUES)
    with pytest.raises(RowRejected, match="ne se termine pas"):
        parser.parse(line + "42")
    with pytest.raises(RowRejected, match="51 colonnes au lieu de 52"):
        parser.parse(line.split("|", 1)[1])


class _Failing:
    def __init__(self) -> None:
        self.written = 0
        self.closed = False

    def write(self, persons: list[Row], activities: list[Row]) -> None:
        self.written += 1
        if self.written == 2:
            raise RuntimeError("disk full")

    def drain(self) -> None:
        """Writes are synchronous here."""

    def close(self) -> None:
        self.closed = True


def test_a_failed_background_write_is_raised_to_the_importer() -> None:
    inner = _Failing()
    writer = BackgroundWriter(inner)
    writer.write([], [])
    writer.write([], [])
    with pytest.raises(RuntimeError, match="disk full"):
        writer.drain()
    with pytest.raises(RuntimeError, match="disk full"):
        writer.close()
    assert (inner.written, inner.closed) == (2, True)
