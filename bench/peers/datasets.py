"""The data the comparisons share, prepared once and kept under the work directory.

- `population`: bench/support.py's registry (professionals over France, the operator, patients
  created through the API) in a PostgreSQL database that is kept between runs;
- `directory`: a generated RPPS extraction (bench/directory_scale.py's file) imported by
  `centrale-server import-rpps` into SQLite or PostgreSQL, beside 1,000 registered professionals,
  as bench/directory_scale.py prepares it.

Each is described by a JSON file in the work directory; a database that has gone (dropped by
hand, a new PostgreSQL cluster) is prepared again. `forget` drops one for good.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bench import support
from bench.directory_scale import extraction, run_import


def _marker(workdir: Path, name: str) -> Path:
    return workdir / f"{name}.json"


def _alive(data: support.Dataset, probe: str) -> bool:
    if data.kind == "sqlite" and not (data.directory / "centrale.sqlite3").exists():
        return False
    engine = create_engine(data.url)
    try:
        with engine.connect() as conn:
            conn.execute(text(probe))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def _load(workdir: Path, name: str, probe: str) -> support.Dataset | None:
    marker = _marker(workdir, name)
    if not marker.exists():
        return None
    saved = json.loads(marker.read_text(encoding="utf-8"))
    patients = [support.BenchPatient(**p) for p in saved.pop("patients")]
    data = support.Dataset(**{**saved, "directory": Path(saved["directory"]), "patients": patients})
    if _alive(data, probe):
        return data
    marker.unlink()
    return None


def _save(workdir: Path, name: str, data: support.Dataset) -> None:
    saved = asdict(data) | {"directory": str(data.directory)}
    _marker(workdir, name).write_text(json.dumps(saved), encoding="utf-8")


def _fresh_directory(workdir: Path, name: str) -> Path:
    directory = workdir / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


def population(workdir: Path, professionals: int, patients: int = 200) -> support.Dataset:
    """bench/support.py's registry on PostgreSQL with `patients` patients (kept between runs)."""
    name = f"population-{professionals}-{patients}"
    data = _load(workdir, name, "SELECT 1 FROM patients LIMIT 1")
    if data is not None:
        return data
    print(f"preparing {professionals:,} professionals and {patients} patients on PostgreSQL…", flush=True)
    data = support.create_dataset("postgresql", _fresh_directory(workdir, name), professionals)
    try:
        with support.running(data) as server:
            support.create_patients(data, server, server.login(), patients)
    except BaseException:
        support.drop(data)
        raise
    _save(workdir, name, data)
    return data


def directory(workdir: Path, kind: str, rows: int) -> support.Dataset:
    """The RPPS extraction of `rows` activity lines imported by our importer (kept between runs)."""
    name = f"directory-{kind}-{rows}"
    data = _load(workdir, name, "SELECT 1 FROM directory_persons LIMIT 1")
    if data is not None:
        return data
    path = extraction(rows)
    print(f"importing {path.name} into {kind} with centrale-server import-rpps…", flush=True)
    data = support.create_dataset(kind, _fresh_directory(workdir, name), 1_000)
    try:
        run_import(data, path)
    except BaseException:
        support.drop(data)
        raise
    _save(workdir, name, data)
    return data


def forget(workdir: Path, name: str) -> None:
    """Drop a kept dataset (its database and files)."""
    data = _load(workdir, name, "SELECT 1")
    if data is not None:
        support.drop(data)
        shutil.rmtree(data.directory, ignore_errors=True)
    _marker(workdir, name).unlink(missing_ok=True)
