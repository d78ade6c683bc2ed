"""What ``centrale-server import-mssante FILE`` prints (French): progress on stderr, then a summary."""

from __future__ import annotations

from server.directory.cli import number, print_rejections, run_import_command
from server.directory.mssante_importer import MssanteReport, import_mssante
from server.settings import Settings


def print_mssante_report(report: MssanteReport) -> None:
    print(f"Import MSSanté terminé : {report.source} ({report.encoding}), génération {report.generation}")
    print(
        f"  {number(report.lines)} lignes lues en {report.seconds:.1f} s — "
        f"{number(report.addresses)} adresses personnelles de {number(report.persons)} professionnels"
    )
    print(
        f"  {number(report.skipped)} boîte(s) ignorée(s) (organisationnelles, applicatives ou sans "
        "identifiant national)"
    )
    print(f"  {number(report.added)} adresses ajoutées, {number(report.retired)} retirées")
    print_rejections(report)


def import_mssante_command(settings: Settings, file: str) -> int:
    return run_import_command(settings, file, import_mssante, print_mssante_report)
