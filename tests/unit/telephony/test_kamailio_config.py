"""The shipped Kamailio configuration and its launcher: the files written, the secrets' mode, bad
settings refused in French, and Kamailio's own check of the result (``kamailio -c``)."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from telephony.hotline_queue.events import (
    CallerArrived,
    PlaybackStarted,
    Playing,
    line_event_from_json,
    line_event_to_json,
)
from telephony.kamailio.launcher import HotlineRouting, KamailioError, KamailioSettings, write_config
from tests.support.kamailio import require, require_module

TOKEN = "telephony-token-for-unit-tests"


def hotline(**changes: object) -> HotlineRouting:
    values: dict[str, object] = {
        "server_url": "http://127.0.0.1:8000", "token": TOKEN, "queue": ("127.0.0.1:5091", "127.0.0.1:5092"),
    }  # fmt: skip
    values.update(changes)
    return HotlineRouting(**values)  # type: ignore[arg-type]


def test_the_hotline_values_go_to_the_local_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    config = write_config(KamailioSettings(tmp_path, {"op1": "secret"}, 5070, hotline=hotline()))
    local = tmp_path / "centrale-local.cfg"
    text = local.read_text(encoding="utf-8")
    assert stat.S_IMODE(local.stat().st_mode) == 0o600  # it holds the token
    assert stat.S_IMODE((tmp_path / "db" / "subscriber").stat().st_mode) == 0o600  # the passwords
    assert "#!define WITH_HOTLINE" in text
    assert f'#!substdef "!CENTRALE_TOKEN!{TOKEN}!g"' in text
    assert '#!substdef "!CENTRALE_API!http://127.0.0.1:8000/api/v1!g"' in text
    assert "#!define RING_SECONDS 15" in text
    assert (tmp_path / "queue-lines.list").read_text() == "1 sip:127.0.0.1:5091\n1 sip:127.0.0.1:5092\n"
    assert TOKEN not in config.read_text(encoding="utf-8")  # the shipped file stays generic


def test_without_a_hotline_the_proxy_is_a_plain_registrar(tmp_path: Path) -> None:
    write_config(KamailioSettings(tmp_path, {"op1": "secret"}, 5070))
    text = (tmp_path / "centrale-local.cfg").read_text(encoding="utf-8")
    assert "WITH_HOTLINE" not in text
    assert not (tmp_path / "queue-lines.list").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"token": 'with"quote-and-more'}, "Jeton de téléphonie invalide"),
        ({"token": "short"}, "Jeton de téléphonie invalide"),
        ({"server_url": "ftp://server"}, "Adresse du serveur invalide"),
        ({"queue": ()}, "Adresses de la file d'attente invalides"),
        ({"queue": ("sip:file@127.0.0.1:5091",)}, "Adresses de la file d'attente invalides"),
        ({"user": "hot line"}, "Numéro de la permanence invalide"),
        ({"ring_seconds": 0}, "Durées invalides"),
    ],
)
def test_bad_hotline_settings_are_refused_in_french(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(KamailioError, match=message):
        write_config(KamailioSettings(tmp_path, {}, 5070, hotline=hotline(**changes)))


@pytest.mark.parametrize("with_hotline", [True, False])
def test_kamailio_accepts_the_written_configuration(tmp_path: Path, with_hotline: bool) -> None:
    kamailio = require("kamailio", "kamailio")
    if with_hotline:
        require_module("http_client", "kamailio-utils-modules")
    settings = KamailioSettings(
        tmp_path, {"op1": "secret"}, 5070, hotline=hotline() if with_hotline else None
    )
    config = write_config(settings)
    checked = subprocess.run(
        [kamailio, "-c", "-f", str(config)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]


def test_line_events_cross_the_worker_pipe_unchanged_but_for_the_caller_number() -> None:
    arrived = CallerArrived(2, "abc@host", "+33761717229", "Claire Martin")
    assert line_event_from_json(line_event_to_json(arrived)) == arrived
    assert line_event_from_json(line_event_to_json(arrived), caller=3002) == CallerArrived(
        3002, "abc@host", "+33761717229", "Claire Martin"
    )
    playing = PlaybackStarted(1, Playing.HOLD_TONE)
    assert line_event_from_json(line_event_to_json(playing)) == playing
    assert line_event_from_json({"event": "CommandDone", "id": 1}) is None
