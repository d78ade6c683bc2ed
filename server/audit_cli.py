"""`centrale-server audit verify|archive` and `centrale-server grant-runtime` (docs/deploy.md).

Exit codes: 0 done (or a chain intact); 1 a broken chain (the first broken link named); 2 refused
(a bad argument, the wrong database role, an existing file).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from server.clock import Clock
from server.settings import Settings

# Dates given on the command line are days in the platform's zone.
PLATFORM_ZONE = ZoneInfo("Europe/Paris")
RETENTION_ENV = "CENTRALE_AUDIT_RETENTION_MONTHS"
RETENTION_DEFAULT = 12
RETENTION_RANGE = (6, 12)  # CNIL's recommendation for access logs


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="journal d'audit : vérifier la chaîne, archiver")
    actions = audit.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser("verify", help="vérifier la chaîne d'empreintes du journal")
    verify.add_argument(
        "--archive", action="append", default=[], type=Path, help="vérifier aussi ce fichier d'archive"
    )
    archive = actions.add_parser("archive", help="archiver puis retirer les entrées anciennes")
    archive.add_argument(
        "--before",
        type=date.fromisoformat,
        help=f"AAAA-MM-JJ (minuit, heure de Paris) ; défaut : la rétention ({RETENTION_ENV})",
    )
    archive.add_argument("--to", required=True, type=Path, help="fichier d'archive à écrire (.jsonl.gz)")
    grant = commands.add_parser(
        "grant-runtime", help="donner ses droits au rôle PostgreSQL d'exécution (lancé par le propriétaire)"
    )
    grant.add_argument("--role", required=True)


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "grant-runtime":
        return _grant(settings, args.role)
    if args.audit_command == "verify":
        return _verify(settings, args.archive)
    return _archive(settings, args.before, args.to)


def _verify(settings: Settings, archives: list[Path]) -> int:
    from server.db import Database
    from server.security.audit_archive import ArchiveRefused, verify_archive
    from server.security.audit_verify import verify_database

    status = 0
    for path in archives:
        try:
            header, report = verify_archive(path)
        except (OSError, ValueError, KeyError, ArchiveRefused) as exc:
            print(f"Archive {path} illisible : {exc}", file=sys.stderr)
            status = max(status, 2)
            continue
        if report.broken is not None:
            print(f"Archive {path} : chaîne rompue. {report.broken.message()}")
            status = 1
        else:
            print(
                f"Archive {path} intègre : {report.entries} entrées (n° {header['after_id'] + 1} "
                f"à {report.last.id}), empreinte finale {report.last.hash}"
            )
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            report = verify_database(session)
    finally:
        db.dispose()
    if report.broken is not None:
        print(f"Journal d'audit : chaîne rompue. {report.broken.message()}")
        return 1
    span = f"n° {report.first_id} à {report.last.id}" if report.entries else "aucune entrée"
    print(f"Journal d'audit intègre : {report.entries} entrées ({span}), empreinte finale {report.last.hash}")
    return status


def _archive(settings: Settings, before_day: date | None, path: Path) -> int:
    from server.db import Database
    from server.security.audit_archive import ArchiveRefused, archive

    now = Clock().now()
    if before_day is None:
        months = _retention_months()
        if months is None:
            return 2
        before_day = _months_before(now.astimezone(PLATFORM_ZONE).date(), months)
    before = datetime.combine(before_day, time(0), PLATFORM_ZONE)
    db = Database(settings.database_url)
    try:
        result = archive(db, before, path, now)
    except ArchiveRefused as refused:
        print(f"Erreur : {refused}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    if result is None:
        print(f"Rien à archiver avant le {before_day:%d/%m/%Y}.")
        return 0
    print(
        f"{result.entries} entrées archivées (n° {result.after_id + 1} à {result.through_id}) dans "
        f"{path} (SHA-256 {result.file_sha256}) ; la chaîne reprend à l'empreinte {result.last_hash}."
    )
    return 0


def _retention_months() -> int | None:
    raw = os.environ.get(RETENTION_ENV, str(RETENTION_DEFAULT))
    low, high = RETENTION_RANGE
    if not raw.isdigit() or not low <= int(raw) <= high:
        print(f"Erreur : {RETENTION_ENV} doit être un nombre de mois entre {low} et {high}", file=sys.stderr)
        return None
    return int(raw)


def _months_before(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    for last in (day.day, 30, 29, 28):  # the same day, or the month's last
        try:
            return date(year, month + 1, last)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _grant(settings: Settings, role: str) -> int:
    from server.db import make_engine
    from server.security.database_roles import RoleRefused, grant_runtime

    engine = make_engine(settings.database_url)
    try:
        grant_runtime(engine, role)
    except RoleRefused as refused:
        print(f"Erreur : {refused}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"Droits du rôle d'exécution « {role} » appliqués (journal d'audit : lecture et ajout seulement).")
    return 0
