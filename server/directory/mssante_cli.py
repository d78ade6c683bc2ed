"""What ``centrale-server import-mssante FILE`` prints (French): progress on stderr, then a summary."""

from __future__ import annotations

import sys
from pathlib import Path

from server.clock import Clock
from server.db import Database
from server.directory.import_lock import ImportBusy
from server.directory.mssante_importer import MssanteReport, import_mssante
from server.directory.reader import SourceError
from server.settings import Settings


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def print_mssante_report(report: MssanteReport) -> None:
    print(f"Import MSSanté terminé : {report.source} ({report.encoding}), génération {report.generation}")
    print(
        f"  {_number(report.lines)} lignes lues en {report.seconds:.1f} s — "
        f"{_number(report.addresses)} adresses personnelles de {_number(report.persons)} professionnels"
    )
    print(
        f"  {_number(report.skipped)} boîte(s) ignorée(s) (organisationnelles, applicatives ou sans "
        "identifiant national)"
    )
    print(f"  {_number(report.added)} adresses ajoutées, {_number(report.retired)} retirées")
    if report.rejected:
        print(f"  {_number(report.rejected)} ligne(s) rejetée(s) :")
        for rejection in report.rejections:
            print(f"    ligne {rejection.line} : {rejection.reason}")
        hidden = report.rejected - len(report.rejections)
        if hidden > 0:
            print(f"    … et {_number(hidden)} autre(s)")
    else:
        print("  aucune ligne rejetée")


def import_mssante_command(settings: Settings, file: str) -> int:
    db = Database(settings.database_url)
    try:
        report = import_mssante(db, Path(file), Clock().now(), sys.stderr)
    except (SourceError, ValueError, ImportBusy) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print_mssante_report(report)
    return 0
