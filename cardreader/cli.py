"""``centrale-card``: list readers, read a card, watch events, emulate a card behind vpcd.

Exit status: 0 on success, 1 on a card error (with --json, stdout holds {"error", "message"}),
2 on a usage error (argparse).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from cardreader.emulator.profiles import ProfileError, load_profile
from cardreader.emulator.vpcd import DEFAULT_PORT, VpcdCardSession
from cardreader.errors import CardReadError
from cardreader.events import CardEvent
from cardreader.presentation import content_json, content_lines, error_json, event_json, event_line


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False), flush=True)


def _fail(error: CardReadError, as_json: bool) -> int:
    if as_json:
        _print_json(error_json(error))
    else:
        print(f"Erreur : {error.message}", file=sys.stderr)
    return 1


def _readers(args: argparse.Namespace) -> int:
    from cardreader import pcsc

    try:
        names = pcsc.list_readers()
    except CardReadError as error:
        return _fail(error, args.json)
    if args.json:
        _print_json({"readers": names})
    elif names:
        print("\n".join(names))
    else:
        print("Aucun lecteur de cartes n'est branché")
    return 0


def _read(args: argparse.Namespace) -> int:
    from cardreader import pcsc

    try:
        reader, content, count = pcsc.read_once(args.reader)
    except CardReadError as error:
        return _fail(error, args.json)
    if args.json:
        _print_json({**content_json(content), "reader": reader, "apdu_count": count})
    else:
        print(f"Lecteur : {reader}")
        print("\n".join(content_lines(content)))
    return 0


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def _watch(args: argparse.Namespace) -> int:
    from cardreader import pcsc

    def show(event: CardEvent) -> None:  # called on the watcher's thread; print is thread-safe
        if args.json:
            _print_json(event_json(event))
        else:
            print(event_line(event), flush=True)

    stop = threading.Event()
    _stop_on_signals(stop)
    watcher = pcsc.CardWatcher(show)
    watcher.start()
    stop.wait()
    watcher.stop()
    return 0


def _emulate(args: argparse.Namespace) -> int:
    try:
        profile = load_profile(Path(args.profile))
    except ProfileError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 1
    port = args.port + args.reader_slot
    session = VpcdCardSession(profile.card, port=port, host=args.host, fault=profile.fault)
    try:
        session.insert(timeout=args.connect_timeout)
    except OSError:
        print(
            f"Erreur : le lecteur virtuel vpcd ne répond pas sur {args.host}:{port} "
            "(pcscd est-il démarré avec le pilote vsmartcard-vpcd ?)",
            file=sys.stderr,
        )
        return 1
    print(f"Carte émulée insérée (vpcd {args.host}:{port}) ; Ctrl-C pour la retirer", flush=True)
    stop = threading.Event()
    _stop_on_signals(stop)
    while not stop.is_set() and not session.wait_removed(0.2):
        pass
    session.remove()
    print("Carte émulée retirée", flush=True)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="centrale-card", description="Lecture des cartes Vitale et CPS (PC/SC)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    readers = commands.add_parser("readers", help="lister les lecteurs")
    readers.add_argument("--json", action="store_true")
    readers.set_defaults(run=_readers)
    read = commands.add_parser("read", help="lire la carte insérée")
    read.add_argument("--reader", help="nom exact du lecteur (défaut : le premier qui contient une carte)")
    read.add_argument("--json", action="store_true")
    read.set_defaults(run=_read)
    watch = commands.add_parser("watch", help="afficher les événements (une ligne par événement)")
    watch.add_argument("--json", action="store_true")
    watch.set_defaults(run=_watch)
    emulate = commands.add_parser("emulate", help="insérer une carte émulée dans le lecteur virtuel vpcd")
    emulate.add_argument("profile", help="profil JSON de la carte")
    emulate.add_argument("--reader-slot", type=int, default=0, help="emplacement vpcd (0 ou 1)")
    emulate.add_argument("--port", type=int, default=DEFAULT_PORT, help="port vpcd de l'emplacement 0")
    emulate.add_argument("--host", default="127.0.0.1")
    emulate.add_argument("--connect-timeout", type=float, default=10.0)
    emulate.set_defaults(run=_emulate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
