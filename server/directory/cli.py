"""What ``centrale-server import-rpps FILE`` prints (French): progress on stderr, then a summary."""

from __future__ import annotations

import sys
from pathlib import Path

from server.clock import Clock
from server.db import Database
from server.directory.import_lock import ImportBusy
from server.directory.importer import ImportReport, import_rpps
from server.directory.reader import SourceError
from server.settings import Settings


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def print_report(report: ImportReport) -> None:
    print(f"Import RPPS terminé : {report.source} ({report.encoding}), génération {report.generation}")
    print(
        f"  {_number(report.lines)} lignes lues en {report.seconds:.1f} s — "
        f"{_number(report.persons)} professionnels, {_number(report.activities)} activités"
    )
    print(
        f"  {_number(report.added)} ajoutés, {_number(report.updated)} modifiés, "
        f"{_number(report.retired)} retirés"
    )
    if report.rejected:
        print(f"  {_number(report.rejected)} ligne(s) rejetée(s) :")
        for rejection in report.rejections:
            print(f"    ligne {rejection.line} : {rejection.reason}")
        hidden = report.rejected - len(report.rejections)
        if hidden > 0:
            print(f"    … et {_number(hidden)} autre(s)")
    else:
        print("  aucune ligne rejetée")


def import_rpps_command(settings: Settings, file: str) -> int:
    db = Database(settings.database_url)
    try:
        report = import_rpps(db, Path(file), Clock().now(), sys.stderr)
    except (SourceError, ValueError, ImportBusy) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print_report(report)
    return 0
