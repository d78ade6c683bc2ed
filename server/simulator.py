"""Simulated responders for demonstrations: demo professionals who see offers and answer them.

Each responder polls its offers through the public API, like a real responder's app would, and
after a random delay accepts, declines or ignores each new offer; an accepted one is started and
finished later with a short report. Nothing here touches the database directly.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import httpx

from server.demo_data import WEB_PROFESSIONALS


@dataclass(frozen=True)
class Behaviour:
    accept: float = 0.5
    decline: float = 0.3
    min_delay: float = 5.0
    max_delay: float = 60.0
    care_seconds: float = 120.0


@dataclass
class Responder:
    username: str
    client: httpx.Client
    seen: set[int] = field(default_factory=set)


@dataclass(order=True)
class Action:
    at: float
    verb: str = field(compare=False)
    prescription_id: int = field(compare=False)
    responder: Responder = field(compare=False)


class Simulation:
    def __init__(self, base_url: str, behaviour: Behaviour, rng: random.Random, say: bool = True) -> None:
        self.base_url = base_url.rstrip("/") + "/api/v1"
        self.behaviour = behaviour
        self.rng = rng
        self.say = say
        self.responders: list[Responder] = []
        self.pending: list[Action] = []
        self.done: list[tuple[str, str, int, int]] = []  # (username, verb, prescription id, status)

    def log_in(self, usernames: list[str], password: str) -> None:
        """Log the simulated responders in; the web app's demo professionals are left to a person."""
        for username in usernames:
            if username in WEB_PROFESSIONALS:
                self._say(f"{username} : laissé à une personne (application web), pas simulé")
                continue
            client = httpx.Client(
                base_url=self.base_url, timeout=10.0, headers={"X-Centrale-Client": "centrale-simulateur"}
            )
            response = client.post("/auth/login", json={"username": username, "password": password})
            if response.status_code != 200:
                self._say(f"{username} : connexion refusée ({response.json().get('detail')})")
                client.close()
                continue
            client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
            self.responders.append(Responder(username, client))

    def poll(self, now: float, responders: list[Responder] | None = None) -> None:
        b = self.behaviour
        for responder in self.responders if responders is None else responders:
            response = responder.client.get("/me/offers")
            if response.status_code != 200:
                continue
            for offer in response.json():
                pid = int(offer["id"])
                if pid in responder.seen:
                    continue
                responder.seen.add(pid)
                draw = self.rng.random()
                verb = "accept" if draw < b.accept else "decline" if draw < b.accept + b.decline else ""
                if verb:
                    delay = self.rng.uniform(b.min_delay, b.max_delay)
                    self.pending.append(Action(now + delay, verb, pid, responder))
        self.pending.sort()

    def act(self, now: float) -> None:
        while self.pending and self.pending[0].at <= now:
            action = self.pending.pop(0)
            path = f"/prescriptions/{action.prescription_id}/{action.verb}"
            body = {"report": "Soins réalisés (simulation)."} if action.verb == "finish" else None
            response = action.responder.client.post(path, json=body)
            self.done.append(
                (action.responder.username, action.verb, action.prescription_id, response.status_code)
            )
            labels = {"accept": "accepte", "decline": "décline", "start": "débute", "finish": "termine"}
            outcome = "" if response.status_code == 200 else f" — refusé ({response.status_code})"
            who, what = action.responder.username, labels[action.verb]
            self._say(f"{who} {what} la demande {action.prescription_id}{outcome}")
            follow = {"accept": "start", "start": "finish"}.get(action.verb)
            if response.status_code == 200 and follow:
                delay = self.rng.uniform(0, self.behaviour.care_seconds)
                self.pending.append(Action(now + delay, follow, action.prescription_id, action.responder))
                self.pending.sort()

    def run(self, duration: float | None, poll_interval: float = 2.0) -> None:
        """Each responder polls every ``poll_interval``, the polls spread evenly over it: all of
        them at once made a burst of requests every interval (36 on the demo) that an operator's
        caller lookup queued behind on the embedded SQLite server (bench.popup_latency --server demo)."""
        started = time.monotonic()
        while duration is None or time.monotonic() - started < duration:
            step = poll_interval / max(1, len(self.responders))
            turns: list[Responder | None] = list(self.responders) or [None]
            for responder in turns:
                now = time.monotonic()
                try:
                    if responder is not None:
                        self.poll(now, [responder])
                    self.act(now)
                except httpx.HTTPError as exc:
                    self._say(f"serveur injoignable ({type(exc).__name__}), nouvel essai")
                time.sleep(step)
                if duration is not None and time.monotonic() - started >= duration:
                    return

    def close(self) -> None:
        for responder in self.responders:
            responder.client.close()

    def _say(self, text: str) -> None:
        if self.say:
            print(f"[simulation] {text}", flush=True)
