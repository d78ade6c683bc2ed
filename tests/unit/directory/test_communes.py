"""The bundled commune index: keys, ranking, centroids."""

from __future__ import annotations

from server.geo import commune_index
from server.geo.communes import search_key


def test_names_are_keyed_in_the_long_form() -> None:
    assert search_key("Saint-Denis-de-Pile") == "SAINTDENISDEPILE"
    assert search_key("st denis") == "SAINTDENIS"
    assert search_key("Ste-Marie") == "SAINTEMARIE"
    assert search_key("L'Haÿ-les-Roses") == "LHAYLESROSES"


def test_prefixes_postal_codes_and_places() -> None:
    index = commune_index()
    assert [c.insee_code for c in index.search("sain", 3)] == [c.insee_code for c in index.search("st", 3)]
    assert all(c.name.startswith("Saint") for c in index.search("saint", 100))  # never Strasbourg
    assert index.search("stras", 1)[0].insee_code == "67482"
    assert index.search("lhay", 1)[0].insee_code == "94038"
    assert {c.insee_code for c in index.search("13001", 5)} == {"13055", "13201"}  # Marseille, its 1st
    assert index.place("97209") == (index.by_code["97209"].latitude, index.by_code["97209"].longitude)
    assert index.place("00000") is None
    assert index.place(None) is None
    assert len(index.by_code) > 34_900
