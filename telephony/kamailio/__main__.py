"""``python -m telephony.kamailio``: writes Centrale's Kamailio configuration and runs it.

The telephony token is read from the environment (``CENTRALE_TELEPHONY_TOKEN``, set from the
secret store), never from the command line; subscribers from a file of « user:password » lines.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from telephony.kamailio.launcher import (
    HotlineRouting,
    KamailioError,
    KamailioProcess,
    KamailioSettings,
    write_config,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m telephony.kamailio", description="Kamailio (centrale)")
    parser.add_argument("--dir", required=True, type=Path, help="répertoire de la configuration, du journal")
    parser.add_argument("--address", default="127.0.0.1", help="adresse SIP d'écoute (UDP)")
    parser.add_argument("--port", type=int, default=5060, help="port SIP (UDP)")
    parser.add_argument("--subscribers", type=Path, required=True, help="fichier utilisateur:mot de passe")
    parser.add_argument("--server-url", default="", help="serveur central (active la permanence)")
    parser.add_argument("--queue", default="", help="lignes de la file, ex. 127.0.0.1:5091,127.0.0.1:5092")
    parser.add_argument("--hotline-user", default="hotline", help="numéro de la permanence")
    parser.add_argument("--ring-seconds", type=int, default=15, help="sonnerie d'une offre (s)")
    parser.add_argument("--children", type=int, default=4, help="processus de traitement UDP")
    parser.add_argument("--write-only", action="store_true", help="écrit la configuration seulement")
    return parser


def _subscribers(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            user, _, password = line.partition(":")
            found[user.strip()] = password.strip()
    return found


def settings_from(args: argparse.Namespace) -> KamailioSettings:
    hotline = None
    if args.server_url:
        token = os.environ.get("CENTRALE_TELEPHONY_TOKEN", "")
        if not token or not args.queue:
            raise KamailioError("La permanence demande CENTRALE_TELEPHONY_TOKEN et --queue")
        queue = tuple(line.strip() for line in args.queue.split(",") if line.strip())
        hotline = HotlineRouting(args.server_url, token, queue, args.hotline_user, args.ring_seconds)
    return KamailioSettings(
        args.dir, _subscribers(args.subscribers), args.port, args.address, hotline, args.children
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = settings_from(args)
        if args.write_only:
            print(write_config(settings))
            return 0
        kamailio = KamailioProcess(settings)
        kamailio.start()
    except (KamailioError, OSError) as exc:
        print(f"kamailio : {exc}", file=sys.stderr)
        return 2
    print(f"Kamailio en service sur {settings.domain} (journal : {kamailio.log_path})", flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        kamailio.stop()
    return 0


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    raise SystemExit(main())
