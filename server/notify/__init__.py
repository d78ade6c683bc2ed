"""How professionals (and registrants, and médecins traitants) are told: one delivery record.

- `notifications` stays the record of what was offered to whom; the live hub wakes open apps
  (WebSocket, SSE); `webhooks.py` POSTs offers to a responder's own webhook (as before).
- The channels — **Web Push** (`push.py`: VAPID, RFC 8291 aes128gcm), **SMS** (`sms.py`: Brevo's
  transactional SMS API, or the demo log), **e-mail** and the **MSSanté** relay (`email_smtp.py`:
  SMTP with STARTTLS, a client certificate for MSSanté) — all go through one table, `deliveries`:
  a row per message and recipient, queued in the caller's transaction (`outbound.py`:
  `queue_sms`, `queue_email`; `dedup_key` unique so nothing is queued twice), sent after commit
  by `deliveries.py` (leases, a bounded thread pool, back-off, `abandoned` after 8 attempts) and
  kept as the log a supervisor reads (`suppressed` rows say why someone was not reached).
- `planner.py` reads the change feed with its own cursor and plans offers, « déjà prise »,
  a request accepted or expired, a comment on my patient; `fanout.py` applies the professional's
  preferences and quiet hours (`preferences.py`) and writes one INSERT per event, the rows to send
  already leased to this process and handed straight to the senders after commit; `messages.py`
  writes what each channel may say.
- Push: `push.py` (VAPID, the payload with its `tag`), `push_crypto.py` (RFC 8291), `http_pool.py`
  (keep-alive connections per origin, also for the SMS API).
- `worker.py` runs the planner and the senders right after each commit, on the live hub's wake-ups
  (every process's commits on PostgreSQL) and on the scheduler's ticks; `wiring.py` builds it all
  once from `config.py`'s settings. docs/server.md « Notifications ».
"""
