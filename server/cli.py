"""`centrale-server`: serve, migrate, create-user, seed-demo, demo, import-rpps, import-mssante."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
import threading
from collections.abc import Sequence

from pydantic import ValidationError

from server.audit_cli import add_commands as add_audit_commands
from server.audit_cli import run as run_audit_command
from server.clock import Clock
from server.errors import DomainError
from server.settings import Settings, SettingsError
from server.validation_messages import translate_validation_error
from shared.domain import Role

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="centrale-server", description="Serveur central Centrale")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "démarrer le serveur"), ("demo", "données de démonstration puis serveur")):
        cmd = commands.add_parser(name, help=text)
        cmd.add_argument("--host", default=DEFAULT_HOST)
        cmd.add_argument("--port", type=int, default=DEFAULT_PORT)
    commands.add_parser("migrate", help="appliquer les migrations du schéma")
    create = commands.add_parser("create-user", help="créer un utilisateur")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role if r != Role.PROFESSIONAL])
    secret = create.add_mutually_exclusive_group()
    secret.add_argument("--password")
    secret.add_argument("--password-stdin", action="store_true")
    create.add_argument("--display-name")
    create.add_argument("--network", action="append", default=[], help="nom d'un réseau (répétable)")
    commands.add_parser("seed-demo", help="charger les données de démonstration (idempotent)")
    rpps = commands.add_parser("import-rpps", help="importer l'extraction RPPS (annuaire national)")
    rpps.add_argument("file", help="PS_LibreAcces_Personne_activite_….txt ou l'archive .zip")
    mssante = commands.add_parser(
        "import-mssante", help="importer l'extraction MSSanté de l'annuaire national (adresses sécurisées)"
    )
    mssante.add_argument("file", help="Extraction_Correspondance_MSSante_….txt ou l'archive .zip")
    simulate = commands.add_parser(
        "simulate-responders", help="des professionnels de démonstration répondent"
    )
    simulate.add_argument("--url", default=f"http://{DEFAULT_HOST}:{DEFAULT_PORT}")
    simulate.add_argument("--users", nargs="*", help="identifiants (défaut : pro01 … pro36 de la démo)")
    simulate.add_argument(
        "--password", default=None, help="défaut : le mot de passe des professionnels de démo"
    )
    simulate.add_argument("--accept", type=float, default=0.5, help="probabilité d'accepter une offre")
    simulate.add_argument("--decline", type=float, default=0.3, help="probabilité de la décliner")
    simulate.add_argument("--min-delay", type=float, default=5.0, help="délai de réponse minimal (s)")
    simulate.add_argument("--max-delay", type=float, default=60.0, help="délai de réponse maximal (s)")
    simulate.add_argument(
        "--care-seconds", type=float, default=120.0, help="durée maximale avant début/fin (s)"
    )
    simulate.add_argument("--poll", type=float, default=2.0, help="intervalle de consultation des offres (s)")
    simulate.add_argument("--duration", type=float, default=None, help="arrêt après ce nombre de secondes")
    simulate.add_argument("--seed", type=int, default=None)
    add_audit_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        _migrate(settings)
        print(f"Schéma à jour ({settings.database_kind}).")
        return 0
    if args.command == "create-user":
        return _create_user(settings, args)
    if args.command == "seed-demo":
        _migrate(settings)
        _seed(settings, announce=True)
        return 0
    if args.command == "import-rpps":
        from server.directory.cli import import_rpps_command

        _migrate(settings)
        return import_rpps_command(settings, args.file)
    if args.command == "import-mssante":
        from server.directory.mssante_cli import import_mssante_command

        _migrate(settings)
        return import_mssante_command(settings, args.file)
    if args.command == "simulate-responders":
        return _simulate(args)
    if args.command in ("audit", "grant-runtime"):
        return run_audit_command(settings, args)
    if args.command in ("serve", "demo"):
        _migrate(settings)
        if args.command == "demo":
            _seed(settings, announce=False)
            settings = dataclasses.replace(settings, demo_messages=True)  # « Messages envoyés »
            # The demo's INSi is the fake (server/insi/fake.py), chosen here explicitly, unless one is set.
            settings = dataclasses.replace(settings, insi=settings.insi or "fake")
        return _serve(settings, args.host, args.port, demo=args.command == "demo")
    return 2


def _migrate(settings: Settings) -> None:
    from server.db import make_engine
    from server.migrate import upgrade

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def _seed(settings: Settings, *, announce: bool) -> None:
    from server.db import Database
    from server.demo_data import seed_demo

    db = Database(settings.database_url)
    try:
        created = seed_demo(db)
    finally:
        db.dispose()
    if announce:
        print("Données de démonstration chargées." if created else "Données de démonstration déjà présentes.")


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    from server.db import Database
    from server.security.audit import Origin, record_audit
    from server.services.accounts import create_user, network_by_name
    from shared.schemas.admin import UserCreate

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif args.password:
        password = args.password
    else:
        password = getpass.getpass("Mot de passe : ")
    _migrate(settings)
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            network_ids = []
            for name in args.network:
                network = network_by_name(session, name)
                if network is None:
                    print(f"Erreur : réseau inconnu « {name} »", file=sys.stderr)
                    return 1
                network_ids.append(network.id)
            body = UserCreate(
                username=args.username,
                password=password,
                role=Role(args.role),
                display_name=args.display_name or args.username,
                network_ids=network_ids,
            )
            now = Clock().now()
            user = create_user(session, body, now)
            record_audit(
                session,
                now,
                Origin("CLI", "centrale-server create-user", None, None),
                None,
                "admin_user_create",
                status=201,
                username="cli",  # the actor: whoever runs the command on the server
                target_user_id=user.id,
                target=user.username,
                role=user.role,
                display_name=user.display_name,
                network_ids=user.network_ids,
                created_with="cli_password",
            )
            print(f"Utilisateur « {user.username} » créé (rôle {user.role}, id {user.id}).")
            return 0
    except ValidationError as exc:
        for error in exc.errors():
            field, message, _code = translate_validation_error(dict(error))
            print(f"Erreur : {field or 'valeur'} : {message}", file=sys.stderr)
        return 1
    except DomainError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return 1
    finally:
        db.dispose()


def _simulate(args: argparse.Namespace) -> int:
    import random

    from server.demo_data import PROFESSIONAL_PASSWORD
    from server.simulator import Behaviour, Simulation

    if not 0 <= args.accept + args.decline <= 1 or min(args.accept, args.decline) < 0:
        print("Erreur : les probabilités doivent être positives et de somme ≤ 1", file=sys.stderr)
        return 2
    behaviour = Behaviour(args.accept, args.decline, args.min_delay, args.max_delay, args.care_seconds)
    simulation = Simulation(args.url, behaviour, random.Random(args.seed))  # noqa: S311 - not cryptographic
    usernames = args.users or [f"pro{n:02d}" for n in range(1, 37)]
    simulation.log_in(usernames, args.password or PROFESSIONAL_PASSWORD)
    if not simulation.responders:
        print("Erreur : aucun professionnel n'a pu se connecter", file=sys.stderr)
        return 1
    print(f"Simulation : {len(simulation.responders)} professionnel(s) connecté(s) à {args.url}", flush=True)
    try:
        simulation.run(args.duration, args.poll)
    except KeyboardInterrupt:
        pass
    finally:
        simulation.close()
    return 0


def _demo_responders(base: str) -> None:
    """The demo's simulated responders, started once the server answers."""
    import random
    import time

    import httpx

    from server.demo_data import PROFESSIONAL_PASSWORD
    from server.simulator import Behaviour, Simulation

    for _ in range(100):
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    simulation = Simulation(base, Behaviour(), random.Random())  # noqa: S311 - not cryptographic
    simulation.log_in([f"pro{n:02d}" for n in range(1, 37)], PROFESSIONAL_PASSWORD)
    print(f"Simulation : {len(simulation.responders)} professionnels de démonstration répondent aux offres.")
    simulation.run(None)


def _serve(settings: Settings, host: str, port: int, *, demo: bool) -> int:
    import uvicorn

    from server.app import create_app
    from server.demo_data import DEMO_LOGINS, WEB_PROFESSIONALS

    base = f"http://{host}:{port}"
    print(f"Serveur central Centrale : {base}/api/v1/health  (base {settings.database_kind})", flush=True)
    print(f"Documentation de l'API : {base}/api/v1/docs", flush=True)
    print(f"Application des professionnels (navigateur, téléphone) : {base}/pro/", flush=True)
    if demo:
        print("Comptes de démonstration :", flush=True)
        for username, password, role in DEMO_LOGINS:
            web = "  (/pro/ : personne ne répond à sa place)" if username in WEB_PROFESSIONALS else ""
            print(f"  {Role(role).label:<26} {username:<22} mot de passe : {password}{web}", flush=True)
    if demo:
        threading.Thread(target=_demo_responders, args=(base,), name="demo-responders", daemon=True).start()
    # Events are small JSON objects: per-message compression costs more CPU than it saves.
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", ws_per_message_deflate=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
