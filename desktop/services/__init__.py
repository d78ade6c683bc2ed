"""The desktop's Qt-free services, those that do I/O: the logged-in session, the case sender (outbox
then the answer), the board's reads, the call records' hand-over to the outbox, the screen pop's
lookup, the active patient list, the softphone's life. They join ``desktop.sync`` (transport),
``desktop.store`` (the local file) and ``desktop.state`` (the pure state); the Qt UI uses them."""
