"""Settings in the config directory; secrets only in a secure keyring, never in a file."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from desktop.settings import (
    NO_SECURE_KEYRING,
    KeyringStatus,
    NoSecureKeyring,
    SecretStore,
    Settings,
    config_dir,
)
from tests.support.keyrings import MemoryKeyring


def test_settings_round_trip(tmp_path: Path) -> None:
    assert Settings.load(tmp_path) == Settings()
    settings = Settings(server_url="https://centrale.example", sip_uri="sip:op@pbx", audio_output="USB")
    path = settings.save(tmp_path)
    assert path.parent == tmp_path
    assert Settings.load(tmp_path) == settings
    assert "password" not in path.read_text()
    assert "token" not in path.read_text()


def test_an_unreadable_settings_file_gives_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("{ tronqué", encoding="utf-8")
    assert Settings.load(tmp_path) == Settings()
    (tmp_path / "settings.json").write_text("[1, 2]", encoding="utf-8")
    assert Settings.load(tmp_path) == Settings()


def test_config_dir_can_be_moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENTRALE_CONFIG_DIR", str(tmp_path))
    assert config_dir() == tmp_path
    monkeypatch.delenv("CENTRALE_CONFIG_DIR")
    assert config_dir().name == "centrale"


def test_secrets_go_to_a_secure_keyring() -> None:
    backend = MemoryKeyring()
    secrets = SecretStore(backend)
    assert secrets.status() is KeyringStatus.SECURE
    key = SecretStore.token_key("http://srv:8765/", "operateur")
    secrets.set(key, "tok-123")
    secrets.set(SecretStore.sip_key("sip:op@pbx"), "sip-pass")
    assert backend.secrets == {
        ("centrale", "token:operateur@http://srv:8765"): "tok-123",
        ("centrale", "sip:sip:op@pbx"): "sip-pass",
    }
    assert secrets.get(key) == "tok-123"
    secrets.delete(key)
    secrets.delete(key)  # already gone: fine
    assert secrets.get(key) is None


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring()],  # type: ignore[no-untyped-call]
    ids=["fail", "null"],
)
def test_no_secure_keyring_is_a_state_not_a_file(
    backend: KeyringBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    secrets = SecretStore(backend)
    assert secrets.status() is KeyringStatus.NO_SECURE_KEYRING
    assert secrets.status_message() == NO_SECURE_KEYRING
    with pytest.raises(NoSecureKeyring, match="Aucun trousseau sécurisé"):
        secrets.set("token:x", "secret")
    with pytest.raises(NoSecureKeyring):
        secrets.get("token:x")
    assert list(tmp_path.rglob("*")) == []  # nothing written anywhere as a fallback


class _FailingChain(chainer.ChainerBackend):
    backends: ClassVar[list[KeyringBackend]] = [fail.Keyring()]  # type: ignore[no-untyped-call]


class _MemoryChain(chainer.ChainerBackend):
    backends: ClassVar[list[KeyringBackend]] = [MemoryKeyring()]


def test_a_chain_is_secure_only_with_a_secure_member() -> None:
    assert SecretStore(_FailingChain()).status() is KeyringStatus.NO_SECURE_KEYRING  # type: ignore[no-untyped-call]
    assert SecretStore(_MemoryChain()).status() is KeyringStatus.SECURE  # type: ignore[no-untyped-call]
