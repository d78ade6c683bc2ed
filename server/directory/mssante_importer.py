"""``centrale-server import-mssante FILE``: the MSSanté extraction into ``mssante_addresses``.

The RPPS importer's approach (server/directory/importer.py), by generation:
1. rows of unfinished imports are deleted, their imports marked ``abandoned``; a new import row
   gives the generation number;
2. the file is streamed line by line and written in batches, each committed (COPY on PostgreSQL,
   executemany on SQLite); nobody reads this generation yet; rejected lines are counted and
   listed, never fatal;
3. one transaction compares the new generation with the current one and marks the import
   ``done``: from that commit on, lookups read the new addresses;
4. rows of older generations are deleted.
Interrupted anywhere, the addresses in use are untouched and the next run starts again at 1.
One import at a time (its own lock, beside the RPPS import's).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Engine, text, update
from sqlalchemy.orm import Session

from server.db import Database
from server.directory.generations import (
    CRASH_ENV,
    Rejection,
    clear_unfinished,
    delete_other_generations,
    latest_finished,
    read_header,
    reject,
)
from server.directory.import_lock import exclusive_import
from server.directory.mssante_format import (
    ZIP_MEMBER_HINT,
    LineRejected,
    LineSkipped,
    MailboxParser,
    MssanteLayout,
)
from server.directory.reader import Progress, Source, open_source
from server.models import MssanteImport

BATCH_LINES = 20_000
TABLES = ("mssante_addresses",)
ADVISORY_KEY = 0x4D535341  # "MSSA" in ASCII: not the RPPS import's key
COLUMNS = (
    "generation",
    "seq",
    "rpps",
    "id_type",
    "address",
    "last_name",
    "first_name",
    "profession_code",
    "dematerialised",
)
Row = tuple[Any, ...]


@dataclass
class MssanteReport:
    generation: int = 0
    source: str = ""
    encoding: str = ""
    lines: int = 0
    addresses: int = 0
    persons: int = 0
    skipped: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    added: int = 0
    retired: int = 0
    seconds: float = 0.0


def current_mssante_generation(session: Session) -> int | None:
    """The generation lookups read: the latest finished import."""
    return latest_finished(session, MssanteImport)


def _begin(db: Database, source: str, now: datetime) -> int:
    with db.session() as session:
        clear_unfinished(session, MssanteImport, TABLES)
        started = MssanteImport(
            source=source[:300], status="running", started_at=now, lines=0, addresses=0, skipped=0, rejected=0
        )
        session.add(started)
        session.flush()
        return started.id


class _Writer:
    """One batch per call, committed: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self._postgres = engine.dialect.name == "postgresql"
        self._raw = engine.raw_connection()
        self._conn: Any = self._raw.driver_connection

    def write(self, rows: list[Row]) -> None:
        if not rows:
            return
        if self._postgres:
            statement = f"COPY mssante_addresses ({', '.join(COLUMNS)}) FROM STDIN"
            with self._conn.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            self._conn.commit()
            return
        marks = ", ".join("?" for _ in COLUMNS)
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            statement = f"INSERT INTO mssante_addresses ({', '.join(COLUMNS)}) VALUES ({marks})"  # noqa: S608
            self._conn.executemany(statement, rows)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def close(self) -> None:
        self._raw.close()


def _load(db: Database, source: Source, generation: int, report: MssanteReport, progress: Progress) -> None:
    header, report.encoding = read_header(source)
    parser = MailboxParser(MssanteLayout.from_header(header.decode(report.encoding)))
    crash_after = int(os.environ.get(CRASH_ENV, "0") or 0)
    writer = _Writer(db.engine)
    rows: list[Row] = []
    done_bytes, line_number = len(header), 1
    try:
        for raw in source.stream:
            line_number += 1
            done_bytes += len(raw)
            if raw.isspace():
                continue
            try:
                box = parser.parse(raw.decode(report.encoding))
            except UnicodeDecodeError:
                reject(report, line_number, f"caractères invalides pour l'encodage {report.encoding}")
            except LineRejected as rejected:
                reject(report, line_number, str(rejected))
            except LineSkipped:
                report.skipped += 1
            else:
                rows.append((generation, line_number, *box))
            if line_number % BATCH_LINES == 0 or line_number == crash_after:
                writer.write(rows)
                report.addresses += len(rows)
                rows = []
                progress.update(done_bytes, line_number)
                if line_number == crash_after:
                    os._exit(3)  # test hook: killed right after a committed batch
        writer.write(rows)
        report.addresses += len(rows)
    finally:
        writer.close()
    report.lines = line_number


def _compare(session: Session, new: int, old: int | None, report: MssanteReport) -> None:
    params = {"new": new, "old": old if old is not None else -1}
    report.persons = (
        session.scalar(
            text("SELECT count(DISTINCT rpps) FROM mssante_addresses WHERE generation = :new"), params
        )
        or 0
    )
    missing = (
        "SELECT count(*) FROM mssante_addresses a WHERE a.generation = :{a} AND NOT EXISTS "
        "(SELECT 1 FROM mssante_addresses b WHERE b.generation = :{b} AND b.rpps = a.rpps "
        "AND b.address = a.address)"
    )
    report.added = session.scalar(text(missing.format(a="new", b="old")), params) or 0
    report.retired = session.scalar(text(missing.format(a="old", b="new")), params) or 0


def _finish(db: Database, generation: int, now: datetime, report: MssanteReport) -> None:
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE mssante_addresses")
        conn.commit()
    with db.session() as session:
        _compare(session, generation, current_mssante_generation(session), report)
        session.execute(
            update(MssanteImport)
            .where(MssanteImport.id == generation)
            .values(
                status="done",
                finished_at=now,
                lines=report.lines,
                addresses=report.addresses,
                skipped=report.skipped,
                rejected=report.rejected,
            )
        )
    with db.session() as session:
        delete_other_generations(session, TABLES, generation)


def import_mssante(
    db: Database, path: Path, now: datetime, progress_out: TextIO | None = None
) -> MssanteReport:
    """Imports the extraction at ``path``; raises SourceError / ValueError / ImportBusy (French)."""
    started = time.monotonic()
    report = MssanteReport()
    with exclusive_import(db, key=ADVISORY_KEY, name="mssante", label="MSSanté"):
        with open_source(path, ZIP_MEMBER_HINT) as source:
            report.source = source.name
            report.generation = _begin(db, source.name, now)
            progress = Progress(source.size, progress_out, label="Import MSSanté")
            _load(db, source, report.generation, report, progress)
            progress.finish(report.lines)
        _finish(db, report.generation, now, report)
    report.seconds = time.monotonic() - started
    return report
