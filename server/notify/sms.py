"""SMS through Brevo's transactional SMS API (Brevo, ex-Sendinblue, a French provider).

`POST {CENTRALE_SMS_API_URL}` (default https://api.brevo.com/v3/transactionalSMS/sms) with the
`api-key` header and `{"sender","recipient","content","type":"transactional","tag",
"unicodeEnabled"}`; the recipient in international form without « + »; 201 answers
`{"reference","messageId",…}`. 4xx but 429 are permanent (a bad number, a refused sender), the
rest is retried.
"""

from __future__ import annotations

import httpx

from server.notify.channels import Outgoing, SendFailed


class BrevoSms:
    def __init__(self, url: str, api_key: str, sender: str, *, timeout: float = 10.0) -> None:
        self._url = url
        self._sender = sender
        self._client = httpx.Client(
            timeout=timeout,
            headers={"api-key": api_key, "accept": "application/json", "User-Agent": "centrale-server"},
        )

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
            response = self._client.post(self._url, json=body)
        except httpx.HTTPError as exc:
            raise SendFailed(f"fournisseur SMS injoignable : {type(exc).__name__}") from exc
        if response.status_code >= 400:
            permanent = 400 <= response.status_code < 500 and response.status_code != 429
            raise SendFailed(
                f"fournisseur SMS : HTTP {response.status_code} {response.text[:200]}", permanent=permanent
            )
        try:
            answer = response.json()
        except ValueError:
            return None
        reference = answer.get("messageId") or answer.get("reference") if isinstance(answer, dict) else None
        return None if reference is None else str(reference)

    def close(self) -> None:
        self._client.close()
