from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cardreader.cards.atr import CardKind, classify_atr
from cardreader.emulator.profiles import ProfileError, build_profile, load_profile
from cardreader.emulator.vpcd import Fault, FaultKind
from tests.support import card_profiles as profiles


@pytest.mark.parametrize(
    ("profile", "kind"),
    [
        (profiles.vitale2(profiles.FAMILY[0]), CardKind.VITALE2),
        (profiles.cps("cps3", "A", "B", "810001045367"), CardKind.CPS3),
        (profiles.cps("cps4", "A", "B", "810001045367"), CardKind.CPS4),
        ({"type": "vitale1"}, CardKind.VITALE1),
        ({"type": "unknown", "atr": "3B 02 14 50"}, CardKind.UNKNOWN),
    ],
)
def test_each_profile_presents_its_atr(profile: dict[str, Any], kind: CardKind) -> None:
    assert classify_atr(build_profile(profile).card.atr) is kind


def test_fault(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.write_text(json.dumps(profiles.vitale2(profiles.FAMILY[0], fault={"kind": "pull", "after": 3})))
    assert load_profile(path).fault == Fault(FaultKind.PULL, 3)
    assert build_profile({"type": "vitale1", "fault": {"kind": "mute"}}).fault == Fault(FaultKind.MUTE, 0)


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ([], "un objet JSON est attendu"),
        ({"type": "passeport"}, "type de carte inconnu « passeport »"),
        ({"type": "vitale2", "beneficiaries": []}, "au moins un bénéficiaire"),
        ({"type": "vitale2", "beneficiaries": "x"}, "liste d'objets"),
        ({"type": "vitale2", "beneficiaries": [{"last_name": "A"}]}, "« nir »"),
        (profiles.vitale2(profiles.beneficiary("ŁUKASZ", "A", "20000101", "1")), "impossible sur la carte"),
        ({"type": "cps3"}, "« holder »"),
        ({"type": "unknown", "atr": "zz"}, "hexadécimal"),
        ({"type": "vitale1", "fault": {"kind": "fire"}}, "panne inconnue « fire »"),
        ({"type": "vitale1", "fault": {"kind": "pull", "after": -1}}, "entier positif"),
        ({"type": "vitale1", "fault": "pull"}, "doit être un objet"),
        ({"type": "vitale1", "fcp_size": "non"}, "true ou false"),
    ],
)
def test_unusable_profiles_are_refused_in_french(profile: Any, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        build_profile(profile)


def test_unreadable_profile_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{")
    with pytest.raises(ProfileError, match="Profil illisible"):
        load_profile(path)
