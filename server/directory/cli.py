"""What ``centrale-server import-rpps FILE`` prints (French): progress on stderr, then a summary.

The MSSanté import (server/directory/mssante_cli.py) runs and reports the same way."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO, TypeVar

from server.clock import Clock
from server.db import Database
from server.directory.generations import ReportsRejections
from server.directory.import_lock import ImportBusy
from server.directory.importer import ImportReport, import_rpps
from server.directory.reader import SourceError
from server.settings import Settings

Report = TypeVar("Report")


def number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def print_rejections(report: ReportsRejections) -> None:
    if report.rejected:
        print(f"  {number(report.rejected)} ligne(s) rejetée(s) :")
        for rejection in report.rejections:
            print(f"    ligne {rejection.line} : {rejection.reason}")
        hidden = report.rejected - len(report.rejections)
        if hidden > 0:
            print(f"    … et {number(hidden)} autre(s)")
    else:
        print("  aucune ligne rejetée")


def print_report(report: ImportReport) -> None:
    print(f"Import RPPS terminé : {report.source} ({report.encoding}), génération {report.generation}")
    print(
        f"  {number(report.lines)} lignes lues en {report.seconds:.1f} s — "
        f"{number(report.persons)} professionnels, {number(report.activities)} activités"
    )
    print(
        f"  {number(report.added)} ajoutés, {number(report.updated)} modifiés, "
        f"{number(report.retired)} retirés"
    )
    print_rejections(report)


def run_import_command(
    settings: Settings,
    file: str,
    run_import: Callable[[Database, Path, datetime, TextIO], Report],
    print_summary: Callable[[Report], None],
) -> int:
    """Runs an import with progress on stderr; a French refusal on stderr and exit code 2."""
    db = Database(settings.database_url)
    try:
        report = run_import(db, Path(file), Clock().now(), sys.stderr)
    except (SourceError, ValueError, ImportBusy) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print_summary(report)
    return 0


def import_rpps_command(settings: Settings, file: str) -> int:
    return run_import_command(settings, file, import_rpps, print_report)
