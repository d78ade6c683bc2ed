"""SMS through Brevo's transactional SMS API (Brevo, ex-Sendinblue, a French provider).

`POST {CENTRALE_SMS_API_URL}` (default https://api.brevo.com/v3/transactionalSMS/sms) with the
`api-key` header and `{"sender","recipient","content","type":"transactional","tag",
"unicodeEnabled"}`; the recipient in international form without « + »; 201 answers
`{"reference","messageId",…}`. 4xx but 429 are permanent (a bad number, a refused sender), the
rest is retried. Sent on kept-alive connections (server/notify/http_pool.py).
"""

from __future__ import annotations

import http.client
import json

from server.notify.channels import Outgoing, SendFailed
from server.notify.http_pool import KeepAliveConnections


class BrevoSms:
    def __init__(self, url: str, api_key: str, sender: str, *, timeout: float = 10.0) -> None:
        self._url = url
        self._sender = sender
        self._headers = {
            "api-key": api_key,
            "accept": "application/json",
            "content-type": "application/json",
            "User-Agent": "centrale-server",
        }
        self._connections = KeepAliveConnections(per_origin=8, timeout=timeout)

    def send(self, message: Outgoing) -> str | None:
        body = {
            "sender": self._sender,
            "recipient": message.recipient.lstrip("+"),
            "content": message.text,
            "type": "transactional",
            "tag": message.purpose or "centrale",
            "unicodeEnabled": not message.text.isascii(),
        }
        try:
            answer = self._connections.post(self._url, json.dumps(body).encode("utf-8"), self._headers)
        except (OSError, http.client.HTTPException) as exc:
            raise SendFailed(f"fournisseur SMS injoignable : {type(exc).__name__}") from exc
        text = answer.body.decode("utf-8", "replace")
        if answer.status >= 400:
            permanent = 400 <= answer.status < 500 and answer.status != 429
            raise SendFailed(f"fournisseur SMS : HTTP {answer.status} {text[:200]}", permanent=permanent)
        try:
            parsed = json.loads(text)
        except ValueError:
            return None
        reference = parsed.get("messageId") or parsed.get("reference") if isinstance(parsed, dict) else None
        return None if reference is None else str(reference)

    def close(self) -> None:
        self._connections.close()
