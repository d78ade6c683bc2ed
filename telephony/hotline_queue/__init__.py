"""The hotline's queue holder (docs/hotline.md): a small B2BUA that answers the callers Kamailio
could not place, plays them an announcement then a hold tone, and calls the operator the server
reserves for the oldest of them. The logic here is Qt-free and pjsua2-free; the SIP side is
``telephony.pjsua2_adapter.queue_line``."""
