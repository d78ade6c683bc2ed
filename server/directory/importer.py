"""``centrale-server import-rpps FILE``: the RPPS extraction into the directory, by generation.

1. Rows of unfinished imports (an earlier run interrupted) are deleted, their imports marked
   ``abandoned``; a new import row gives the generation number.
2. The file is streamed line by line and written in batches (COPY / executemany), each batch
   committed; nobody reads this generation yet. Rejected lines are counted and listed, never fatal.
3. One transaction compares the new generation with the current one (added, updated, retired)
   and marks the import ``done``: from that commit on, searches read the new generation.
4. Rows of older generations are deleted.

Interrupted anywhere, the current directory is untouched and the next run starts again at 1:
re-running gives the same final state.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import text, update
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
from server.directory.reader import Progress, Source, open_source
from server.directory.rpps_format import Activity, Layout, RowParser, RowRejected
from server.directory.writers import Row, writer_for
from server.models import DirectoryImport

__all__ = ["CRASH_ENV", "ImportReport", "Rejection", "current_generation", "import_rpps"]

BATCH_LINES = 20_000
TABLES = ("directory_activities", "directory_persons")
_COMPARED = (
    "last_name",
    "first_name",
    "profession_code",
    "specialty_code",
    "commune",
    "postal_code",
    "phone",
)


@dataclass
class ImportReport:
    generation: int = 0
    source: str = ""
    encoding: str = ""
    lines: int = 0
    persons: int = 0
    activities: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    retired: int = 0
    seconds: float = 0.0


def current_generation(session: Session) -> int | None:
    """The generation searches read: the latest finished import."""
    return latest_finished(session, DirectoryImport)


def _begin(db: Database, source: str, now: datetime) -> int:
    with db.session() as session:
        clear_unfinished(session, DirectoryImport, TABLES)
        started = DirectoryImport(
            source=source[:300],
            status="running",
            started_at=now,
            lines=0,
            persons=0,
            activities=0,
            rejected=0,
        )
        session.add(started)
        session.flush()
        return started.id


class _Batches:
    """Groups consecutive lines of one person; persons seen earlier only add activities."""

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.persons: list[Row] = []
        self.activities: list[Row] = []
        self._seen: set[int] = set()
        self._pending: Activity | None = None
        self._pending_phone: str | None = None
        self.person_count = 0
        self.activity_count = 0

    def add(self, line_number: int, row: Activity) -> None:
        if self._pending is not None and self._pending.rpps == row.rpps:
            self._pending_phone = self._pending_phone or row.phone or row.phone2
        else:
            self.flush_person()
            identity = int(row.id_type + row.rpps)
            if identity not in self._seen:
                self._seen.add(identity)
                self._pending, self._pending_phone = row, row.phone or row.phone2
        self.activities.append(
            (self.generation, row.rpps, line_number, row.mode_code, row.site_name, row.address,
             row.postal_code, row.commune_insee, row.commune, row.phone, row.phone2, row.email)
        )  # fmt: skip
        self.activity_count += 1

    def flush_person(self) -> None:
        p = self._pending
        if p is None:
            return
        self.persons.append(
            (self.generation, p.rpps, p.id_type, p.last_name, p.first_name, p.last_name_key,
             p.first_name_key, p.profession_code, p.profession, p.specialty_code, p.specialty,
             p.commune, p.postal_code, self._pending_phone)
        )  # fmt: skip
        self.person_count += 1
        self._pending = None

    def take(self) -> tuple[list[Row], list[Row]]:
        taken = self.persons, self.activities
        self.persons, self.activities = [], []
        return taken


def _load(db: Database, source: Source, generation: int, report: ImportReport, progress: Progress) -> None:
    header, report.encoding = read_header(source)
    parser = RowParser(Layout.from_header(header.decode(report.encoding)))
    crash_after = int(os.environ.get(CRASH_ENV, "0") or 0)
    batches = _Batches(generation)
    writer = writer_for(db.engine)
    done_bytes = len(header)
    line_number = 1
    try:
        for raw in source.stream:
            line_number += 1
            done_bytes += len(raw)
            if raw.isspace():  # a blank line (often the last one) is not a rejected row
                continue
            try:
                batches.add(line_number, parser.parse(raw.decode(report.encoding)))
            except UnicodeDecodeError:
                reject(report, line_number, f"caractères invalides pour l'encodage {report.encoding}")
            except RowRejected as rejected:
                reject(report, line_number, str(rejected))
            if line_number % BATCH_LINES == 0 or line_number == crash_after:
                writer.write(*batches.take())
                progress.update(done_bytes, line_number)
                if line_number == crash_after:
                    writer.drain()
                    os._exit(3)
        batches.flush_person()
        writer.write(*batches.take())
    finally:
        writer.close()
    report.lines = line_number
    report.persons, report.activities = batches.person_count, batches.activity_count


def _compare(session: Session, new: int, old: int | None, report: ImportReport) -> None:
    if old is None:
        report.added = report.persons
        return
    params = {"new": new, "old": old}
    missing = (
        "SELECT count(*) FROM directory_persons a WHERE a.generation = :{a} AND NOT EXISTS "
        "(SELECT 1 FROM directory_persons b WHERE b.generation = :{b} AND b.rpps = a.rpps)"
    )
    report.added = session.scalar(text(missing.format(a="new", b="old")), params) or 0
    report.retired = session.scalar(text(missing.format(a="old", b="new")), params) or 0
    differs = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in _COMPARED)
    if session.get_bind().dialect.name == "sqlite":
        differs = differs.replace("IS DISTINCT FROM", "IS NOT")
    join = "FROM directory_persons a JOIN directory_persons b ON b.rpps = a.rpps AND b.generation = :old"
    changed = f"SELECT count(*) {join} WHERE a.generation = :new AND ({differs})"
    report.updated = session.scalar(text(changed), params) or 0


def _analyze(db: Database) -> None:
    with db.engine.connect() as conn:
        if db.kind == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
        for table in ("directory_persons", "directory_activities"):
            conn.exec_driver_sql(f"ANALYZE {table}")
        conn.commit()


def _checkpoint(db: Database) -> None:
    """SQLite: fold the write-ahead log (about as large as the import) back into the database and
    truncate it, so that the server's next commits do not pay for it."""
    if db.kind != "sqlite":
        return
    raw = db.engine.raw_connection()  # outside any transaction (SQLAlchemy's would hold a lock)
    try:
        driver: Any = raw.driver_connection
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def _finish(db: Database, generation: int, now: datetime, report: ImportReport) -> None:
    """Statistics, then the switch to the new generation in one transaction, then the clean-up."""
    _analyze(db)
    with db.session() as session:
        previous = current_generation(session)
        _compare(session, generation, previous, report)
        session.execute(
            update(DirectoryImport)
            .where(DirectoryImport.id == generation)
            .values(
                status="done",
                finished_at=now,
                lines=report.lines,
                persons=report.persons,
                activities=report.activities,
                rejected=report.rejected,
            )
        )
    with db.session() as session:
        delete_other_generations(session, TABLES, generation)
    _checkpoint(db)


def import_rpps(db: Database, path: Path, now: datetime, progress_out: TextIO | None = None) -> ImportReport:
    """Imports the extraction at ``path``; raises SourceError / ValueError / ImportBusy (French)."""
    started = time.monotonic()
    report = ImportReport()
    with exclusive_import(db):
        with open_source(path) as source:
            report.source = source.name
            report.generation = _begin(db, source.name, now)
            progress = Progress(source.size, progress_out)
            _load(db, source, report.generation, report, progress)
            progress.finish(report.lines)
        _finish(db, report.generation, now, report)
    report.seconds = time.monotonic() - started
    return report
