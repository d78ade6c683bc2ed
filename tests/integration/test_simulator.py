"""`centrale-server simulate-responders` drives real responders through the public API."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time

from tests.support.live import PASSWORD, LiveServer, patient_body


def test_simulated_responder_accepts_starts_and_finishes(server: LiveServer) -> None:
    lat = 43.0 + secrets.randbelow(1000) / 1000
    profile, _ = server.professional(latitude=lat, longitude=5.9, profession_code="95")
    _, operator = server.user("operator")
    patient = operator.post("/patients", json=patient_body(latitude=lat, longitude=5.9)).json()
    simulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "simulate-responders",
            "--url",
            server.process.base_url,
            "--users",
            profile["username"],
            "--password",
            PASSWORD,
            "--accept",
            "1",
            "--decline",
            "0",
            "--min-delay",
            "0",
            "--max-delay",
            "0",
            "--care-seconds",
            "0",
            "--poll",
            "0.2",
            "--duration",
            "30",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        sent = operator.post(
            "/cases",
            json={
                "caller": {"name": "Dr Appelant"},
                "requester": {"rpps": profile["rpps"]},
                "patient_id": patient["id"],
                "prescriptions": [
                    {
                        "profession_code": "95",
                        "care_type": "Conseil diététique",
                        "care_mode": "video",
                        "intervention_delay_minutes": 30,
                        "response_delay_minutes": 30,
                        "comment": "Bilan nutritionnel",
                    }
                ],
            },
        )
        assert sent.status_code == 201
        prescription_id = sent.json()["prescriptions"][0]["id"]
        deadline = time.monotonic() + 20
        state = ""
        while time.monotonic() < deadline and state != "finished":
            state = operator.get(f"/prescriptions/{prescription_id}").json()["state"]
            time.sleep(0.2)
        final = operator.get(f"/prescriptions/{prescription_id}").json()
    finally:
        simulator.terminate()
        output = simulator.communicate(timeout=10)[0]
    assert final["state"] == "finished", output
    assert final["accepted_by"]["id"] == profile["user_id"]
    assert final["report"] == "Soins réalisés (simulation)."
    assert f"{profile['username']} accepte la demande {prescription_id}" in output


def test_simulator_refuses_impossible_probabilities(server: LiveServer) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "server.cli",
            "simulate-responders",
            "--url",
            server.process.base_url,
            "--accept",
            "0.8",
            "--decline",
            "0.5",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "les probabilités doivent être positives et de somme ≤ 1" in result.stderr
