"""The national directory's MSSanté extraction: the secure-mail addresses of persons, by import.

Only personal boxes (« PER ») tied to a person's national identifier (RPPS or ADELI) are kept:
they are what informs a médecin traitant who is not registered here (docs/mssante-format.md).
Like the RPPS directory, every row carries the generation (``mssante_imports.id``) of the import
that wrote it; readers use the latest finished import only, so an import becomes visible in one
commit and an interrupted one leaves rows that the next run deletes
(server/directory/mssante_importer.py).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base
from server.models.import_runs import ImportRunColumns


class MssanteImport(ImportRunColumns, Base):
    __tablename__ = "mssante_imports"

    addresses: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # organisational boxes, boxes of nobody


class MssanteAddress(Base):
    """One personal MSSanté box of a person (a person may have several, one per operator)."""

    __tablename__ = "mssante_addresses"

    generation: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)  # the line number in the file
    rpps: Mapped[str] = mapped_column(String(11))  # RPPS (11) or ADELI (9), as directory_persons
    id_type: Mapped[str] = mapped_column(String(1))  # 8 RPPS, 0 ADELI
    address: Mapped[str] = mapped_column(String(254))
    last_name: Mapped[str | None] = mapped_column(String(100))
    first_name: Mapped[str | None] = mapped_column(String(100))
    profession_code: Mapped[str | None] = mapped_column(String(2))
    # « Dématérialisation »: the holder asked to receive documents by secure mail (preferred box).
    dematerialised: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_mssante_addresses_rpps", "generation", "rpps"),)
