"""What the API calls that send a file take (a request's documents, a message's attachments)."""

from __future__ import annotations

from typing import Protocol


class Upload(Protocol):
    """A file to attach (``desktop.state.attachments.Attachment``, checked before it is sent)."""

    @property
    def filename(self) -> str: ...

    @property
    def content_type(self) -> str: ...

    @property
    def data(self) -> bytes: ...
