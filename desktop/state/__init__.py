"""What the desktop knows and decides, without Qt and without I/O: the wizard and its steps, the
board's rows, the call flow and call list, statistics, the wall-board, tray notices, a request's
timeline and actions, the patient files' rows. Nothing here reads the network, the disk or the
keyring; a service (``desktop.services``) feeds it and acts on its answers."""
