"""How responders learn of offers.

Three channels, one seam: (1) the `notifications` table is the record of what was offered to whom
and when — every other channel derives from it; (2) connected responder clients are woken through
the live hub (WebSocket); (3) responders with a `webhook_url` get a POST, queued as a
`webhook_deliveries` row in the same transaction as the offer and retried with back-off by the
scheduler. Push services (APNs, FCM) are out of reach here: they would be a fourth queue fed the
same way.
"""
