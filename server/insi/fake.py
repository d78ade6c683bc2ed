"""A fake INSi teleservice, for the tests and the demo only (selected by `CENTRALE_INSI=fake`).

It answers the traits it is given with the test OID (1.2.250.1.213.1.4.10, « INS-NIR de test »), the
NIR given (the Carte Vitale's) and the birth place given or, failing that, read from the NIR; without
a NIR or with a NIR whose sex or birth date disagree with the traits, it finds nobody.
"""

from __future__ import annotations

import uuid

from server.insi.api import InsiIdentity
from shared.schemas.identity_evidence import InsiQuery
from shared.validation import OID_TEST, ValidationFailure, check_nir_matches_identity, parse_nir


class FakeInsi:
    name = "fake"

    def search(self, query: InsiQuery) -> InsiIdentity | None:
        if not query.nir:
            return None
        try:
            nir = parse_nir(query.nir)
            check_nir_matches_identity(nir, query.sex.value, query.birth_date)
        except ValidationFailure:
            return None
        place = query.birth_place_insee or nir.value[5:10]
        return InsiIdentity(
            reference=f"FAKE-INSI-{uuid.uuid4().hex}",
            nir=nir.value,
            ins_oid=OID_TEST,
            birth_last_name=query.birth_last_name,
            birth_first_names=query.first_name,
            sex=query.sex.value,
            birth_date=query.birth_date,
            birth_place_insee=place,
        )
