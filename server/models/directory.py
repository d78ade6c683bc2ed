"""The national directory (RPPS extraction): persons, their activities, and the imports.

Every row carries the generation (``directory_imports.id``) of the import that wrote it. Readers
use the latest finished import only, so an import fills its generation beside the one being
read and becomes visible in one commit; an interrupted import leaves rows of an unfinished
generation, deleted by the next run (server/directory/importer.py).

Search keys are compared by range (``key >= 'HEL' AND key < 'HEM'``): on PostgreSQL they use the
"C" collation, so that their btree index serves prefix ranges and ordering whatever the
database's collation (SQLite compares bytes anyway).
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base
from server.models.import_runs import ImportRunColumns

NAME_KEY_MAX = 100


def key_type() -> String:
    return String(NAME_KEY_MAX).with_variant(String(NAME_KEY_MAX, collation="C"), "postgresql")


class DirectoryImport(ImportRunColumns, Base):
    __tablename__ = "directory_imports"

    persons: Mapped[int] = mapped_column(Integer, default=0)
    activities: Mapped[int] = mapped_column(Integer, default=0)


class DirectoryPerson(Base):
    """One professional (« Identifiant PP »), with the practice of their first activity row."""

    __tablename__ = "directory_persons"

    generation: Mapped[int] = mapped_column(Integer, primary_key=True)
    rpps: Mapped[str] = mapped_column(String(11), primary_key=True)  # RPPS (11) or ADELI (9)
    id_type: Mapped[str] = mapped_column(String(1))  # 8 RPPS, 0 ADELI
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name_key: Mapped[str] = mapped_column(key_type())
    first_name_key: Mapped[str] = mapped_column(key_type())
    profession_code: Mapped[str | None] = mapped_column(String(2))
    profession: Mapped[str | None] = mapped_column(String(100))
    specialty_code: Mapped[str | None] = mapped_column(String(8))
    specialty: Mapped[str | None] = mapped_column(String(150))
    commune: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    phone: Mapped[str | None] = mapped_column(String(20))

    # Prefix search on either name, read in index order (ties broken by profession and RPPS, so
    # the first rows are the answer without a sort), the profession filter read from the index.
    __table_args__ = (
        Index(
            "ix_directory_persons_last_name",
            "generation",
            "last_name_key",
            "first_name_key",
            "profession_code",
            "rpps",
        ),
        Index(
            "ix_directory_persons_first_name",
            "generation",
            "first_name_key",
            "last_name_key",
            "profession_code",
            "rpps",
        ),
    )


class DirectoryActivity(Base):
    """One row of the extraction: a practice of a person (address, phones, mode of practice)."""

    __tablename__ = "directory_activities"

    generation: Mapped[int] = mapped_column(Integer, primary_key=True)
    rpps: Mapped[str] = mapped_column(String(11), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)  # order of the row for the person
    mode_code: Mapped[str | None] = mapped_column(String(2))  # L libéral, S salarié, B bénévole
    site_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    commune: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    phone2: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))

    __table_args__ = (
        Index("ix_directory_activities_phone", "generation", "phone"),
        Index("ix_directory_activities_phone2", "generation", "phone2"),
    )
