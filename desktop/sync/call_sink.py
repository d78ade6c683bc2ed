"""The call log's sink: each finished call's record goes to ``POST /api/v1/calls``."""

from __future__ import annotations

from typing import Any

from desktop.sync.client import ApiClient


class ServerCallLogSink:
    """A ``telephony.call_log.CallLogSink``; raising leaves the record unsent for the next flush.

    The server upserts by the record's ``id``, so a record sent again (a case number added after
    the call, a crash between the send and the mark) updates the same call.
    """

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def send(self, record: dict[str, Any]) -> None:
        await self._client.send_call_record(record)
