"""The Linux package: built with dpkg-deb from the bundle, installed into a private dpkg root,
run, upgraded over an older version while the user's local store (written by an older release)
is kept and migrated by the new binary, then removed without leaving a file behind."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from desktop.store.schema import SCHEMA_VERSION
from tests.installers.conftest import ROOT, BundledDemoServer
from tests.installers.dpkg_root import DpkgRoot
from tests.installers.smoke_run import SmokeRun
from tests.installers.workstation import DEMO_USER, isolated_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

OLD_STORE = Path(__file__).with_name("local_store_v1.sql")
OLD_DRAFT_ID = "00a9237e-1fd6-40ad-aafc-219c104b7a7e"  # the unfinished wizard in local_store_v1.sql


def build_deb(bundle: Path, out: Path, deb_version: str) -> Path:
    result = subprocess.run(
        ["bash", str(ROOT / "installers" / "linux" / "build_deb.sh"), str(bundle), str(out), deb_version],
        # zstd: seconds instead of minutes for xz (the release default); the package is the same
        env={**os.environ, "CENTRALE_DEB_COMPRESSION": "zstd"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (deb,) = out.glob(f"centrale_{deb_version}_*.deb")
    return deb


def deb_field(deb: Path, field: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb), field], capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()


def store_state(path: Path) -> tuple[int, list[str]]:
    """The local store's schema version and its drafts' ids."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        query = "SELECT value FROM meta WHERE key = 'schema_version'"
        (schema_version,) = connection.execute(query).fetchone()
        drafts = [row[0] for row in connection.execute("SELECT id FROM drafts")]
    return int(schema_version), drafts


def test_the_package_installs_upgrades_keeping_user_data_and_removes_cleanly(
    bundle: Path, demo_server: BundledDemoServer, tmp_path: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("dpkg --root installe en root (CI et la machine de développement le sont)")
    current = version("centrale")
    old_deb = build_deb(bundle, tmp_path / "debs", "0.0.9")
    new_deb = build_deb(bundle, tmp_path / "debs", current)

    assert deb_field(new_deb, "Package") == "centrale"
    assert deb_field(new_deb, "Version") == current
    assert "libpcsclite1" in deb_field(new_deb, "Depends").split(", ")
    assert deb_field(new_deb, "Recommends") == "pcscd"
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(new_deb)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    for member in (
        "./opt/centrale/centrale",
        "./usr/bin/centrale",
        "./usr/share/applications/centrale.desktop",
        "./usr/share/icons/hicolor/256x256/apps/centrale.png",
        "./usr/share/icons/hicolor/scalable/apps/centrale.svg",
    ):
        assert f" {member}\n" in listing, member
    assert all(" root/root " in line for line in listing.splitlines())

    root = DpkgRoot(tmp_path / "root")
    installed = root.dpkg("--install", str(old_deb))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert root.installed_version("centrale") == "0.0.9"
    program = root.path / "opt" / "centrale" / "centrale"
    launcher = root.path / "usr" / "bin" / "centrale"
    assert launcher.read_text() == '#!/bin/sh\nexec /opt/centrale/centrale "$@"\n'
    assert os.access(launcher, os.X_OK)
    desktop_entry = (root.path / "usr/share/applications/centrale.desktop").read_text()
    assert "Exec=centrale\n" in desktop_entry
    assert "Icon=centrale\n" in desktop_entry
    answer = subprocess.run(
        [str(program), "--version"],
        env=isolated_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert answer.stdout.strip() == f"centrale {current}", answer.stderr

    # The operator worked with an older release: a local store at schema version 1, one draft.
    home = tmp_path / "home"
    data = home / ".local" / "share" / "centrale"
    data.mkdir(parents=True)
    store = data / f"local-{DEMO_USER}.sqlite3"
    with contextlib.closing(sqlite3.connect(store)) as connection:
        connection.executescript(OLD_STORE.read_text(encoding="utf-8"))
    assert store_state(store) == (1, [OLD_DRAFT_ID])

    upgraded = root.dpkg("--install", str(new_deb))
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert root.installed_version("centrale") == current

    run = SmokeRun(program, home, demo_server.url)
    try:
        assert run.wait_for("SMOKE connexion") == f"SMOKE connexion : {DEMO_USER} (operator)"
        assert run.wait_for("SMOKE stockage local") == "SMOKE stockage local : 1 brouillon(s)"
        assert run.wait_for("SMOKE SIP") == "SMOKE SIP : non demandé"
        assert run.finish() == 0, run.output
    finally:
        run.kill()
    assert store_state(store) == (SCHEMA_VERSION, [OLD_DRAFT_ID])

    removed = root.dpkg("--purge", "centrale")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert root.installed_version("centrale") is None
    assert root.files_outside_the_database() == []
    assert not (root.path / "opt" / "centrale").exists()
    # the user's data is theirs: neither the upgrade nor the removal touched it
    assert store_state(store) == (SCHEMA_VERSION, [OLD_DRAFT_ID])
