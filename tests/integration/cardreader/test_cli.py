"""`centrale-card` as support staff run it: real processes, real pcscd, emulated cards."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support import card_profiles as profiles
from tests.support.pcsc import CardSlots, wait_card_state

CLI = [sys.executable, "-m", "cardreader.cli"]


def run(*args: str) -> tuple[int, Any]:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, check=False)
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else done.stderr


def test_readers(slots: CardSlots) -> None:
    assert run("readers", "--json") == (0, {"readers": slots.daemon.readers})


def test_read_vitale_json(slots: CardSlots) -> None:
    slots.insert(profiles.vitale2(profiles.FAMILY[0], profiles.CORSICAN))
    status, data = run("read", "--json")
    assert status == 0
    assert data["card"] == "vitale2"
    assert data["atr"] == "3B 75 13 00 00 44 09 EA 90 00"
    assert data["reader"] == slots.daemon.readers[0]
    assert data["beneficiaries"][1] == {
        "last_name": "CASANOVA",
        "first_name": "Marie-Ange",
        "birth_date": "19900303",
        "birth_date_iso": "1990-03-03",
        "nationality": "FR",
        "nir": profiles.CORSICAN["nir"],
        "nir_valid": True,
        "nir_problem": None,
    }


def test_read_cps_text(slots: CardSlots) -> None:
    slots.insert(profiles.cps("cps3", "D'ARTAGNAN", "Jean-Pierre", "810001045367", "40"), slot=1)
    done = subprocess.run([*CLI, "read"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    assert "carte CPS3 — D'ARTAGNAN Jean-Pierre" in done.stdout
    assert "Chirurgien-dentiste, RPPS 10001045367" in done.stdout


def test_errors_exit_non_zero_with_json(slots: CardSlots) -> None:
    assert run("read", "--json") == (1, {"error": "no_card", "message": "Aucune carte dans le lecteur"})
    status, data = run("read", "--json", "--reader", "Lecteur imaginaire")
    assert (status, data["error"]) == (1, "reader_not_found")
    slots.insert({"type": "unknown", "atr": "3B 02 14 50"})
    status, data = run("read", "--json")
    assert (status, data["error"]) == (1, "unknown_card")
    slots.remove(0)
    slots.insert(profiles.vitale2(profiles.FAMILY[0], fault={"kind": "garbage", "after": 1}))
    assert run("read", "--json") == (
        1,
        {"error": "card_unreadable", "message": "Carte illisible : la carte a répondu de façon inattendue"},
    )


def test_pcscd_not_running(slots: CardSlots) -> None:
    slots.daemon.stop()
    try:
        expected = {
            "error": "pcscd_not_running",
            "message": "Le service de cartes à puce (pcscd) n'est pas démarré",
        }
        assert run("read", "--json") == (1, expected)
        assert run("readers", "--json") == (1, expected)
        done = subprocess.run([*CLI, "read"], capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 1
        assert done.stderr.strip() == "Erreur : Le service de cartes à puce (pcscd) n'est pas démarré"
    finally:
        slots.daemon.start()


def test_emulate_then_read_then_stop(slots: CardSlots, tmp_path: Path) -> None:
    profile = tmp_path / "vitale.json"
    profile.write_text(json.dumps(profiles.vitale2(*profiles.FAMILY)), encoding="utf-8")
    emulator = subprocess.Popen(
        [*CLI, "emulate", str(profile), "--reader-slot", "1", "--port", str(slots.daemon.port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        assert emulator.stdout.readline().startswith("Carte émulée insérée")
        reader = slots.daemon.readers[1]
        wait_card_state(reader, present=True)
        status, data = run("read", "--json", "--reader", reader)
        assert status == 0
        assert [b["first_name"] for b in data["beneficiaries"]] == ["Hélène", "Jean-Éric", "Zoé"]
    finally:
        emulator.send_signal(signal.SIGINT)
        assert emulator.wait(timeout=10) == 0
    wait_card_state(slots.daemon.readers[1], present=False)


def test_emulate_refuses_a_bad_profile(tmp_path: Path) -> None:
    profile = tmp_path / "bad.json"
    profile.write_text('{"type": "passeport"}', encoding="utf-8")
    done = subprocess.run(
        [*CLI, "emulate", str(profile)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert "type de carte inconnu « passeport »" in done.stderr


def test_watch_prints_one_json_line_per_event(slots: CardSlots) -> None:
    watcher = subprocess.Popen([*CLI, "watch", "--json"], stdout=subprocess.PIPE, text=True)
    try:
        assert watcher.stdout is not None
        lines = [json.loads(watcher.stdout.readline()) for _ in range(2)]
        assert lines == [{"event": "reader_added", "reader": r} for r in slots.daemon.readers]
        slots.insert(profiles.cps("cps4", "O'BRIEN", "Anne-Marie", "0751234567", "50"), wait=False)
        inserted = json.loads(watcher.stdout.readline())
        read = json.loads(watcher.stdout.readline())
        slots.remove(0, wait=False)
        removed = json.loads(watcher.stdout.readline())
    finally:
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=10) == 0
    assert inserted["event"] == "card_inserted"
    assert inserted["card"] == "cps4"
    assert read["event"] == "card_read"
    assert read["holder"]["last_name"] == "O'BRIEN"
    assert read["holder"]["id_type"] == "adeli"
    assert read["apdu_count"] == 5
    assert removed == {"event": "card_removed", "reader": slots.daemon.readers[0]}
