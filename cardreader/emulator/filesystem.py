"""The emulated card's file system (ISO/IEC 7816-4 § 5.3): MF, DFs named by AID, EFs by FID/SFI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

MF_FID = 0x3F00  # ISO/IEC 7816-4 § 5.3.1.1: the master file is always 3F00


@dataclass
class ElementaryFile:
    fid: int
    data: bytes
    sfi: int | None = None  # short EF identifier, 1..30 (ISO/IEC 7816-4 § 5.3.1.1)


@dataclass
class DedicatedFile:
    fid: int | None
    aid: bytes | None = None
    children: list[ElementaryFile | DedicatedFile] = field(default_factory=list)
    parent: DedicatedFile | None = field(default=None, repr=False)

    def add(self, child: ElementaryFile | DedicatedFile) -> ElementaryFile | DedicatedFile:
        if isinstance(child, DedicatedFile):
            child.parent = self
        self.children.append(child)
        return child

    def child_by_fid(self, fid: int) -> ElementaryFile | DedicatedFile | None:
        return next((c for c in self.children if c.fid == fid), None)

    def ef_by_sfi(self, sfi: int) -> ElementaryFile | None:
        return next((c for c in self.children if isinstance(c, ElementaryFile) and c.sfi == sfi), None)

    def walk(self) -> Iterator[DedicatedFile]:
        yield self
        for child in self.children:
            if isinstance(child, DedicatedFile):
                yield from child.walk()

    def find_aid(self, aid: bytes) -> DedicatedFile | None:
        return next((df for df in self.walk() if df.aid == aid), None)


def master_file() -> DedicatedFile:
    return DedicatedFile(MF_FID)
