"""`centrale-server`: serve, migrate, create-user, seed-demo, demo."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from server.api.errors import ApiError, translate_validation_error
from server.clock import Clock
from server.settings import Settings, SettingsError
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
    if args.command in ("serve", "demo"):
        _migrate(settings)
        if args.command == "demo":
            _seed(settings, announce=False)
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
            user = create_user(session, body, Clock().now())
            print(f"Utilisateur « {user.username} » créé (rôle {user.role}, id {user.id}).")
            return 0
    except ValidationError as exc:
        for error in exc.errors():
            field, message, _code = translate_validation_error(dict(error))
            print(f"Erreur : {field or 'valeur'} : {message}", file=sys.stderr)
        return 1
    except ApiError as exc:
        print(f"Erreur : {exc.detail}", file=sys.stderr)
        return 1
    finally:
        db.dispose()


def _serve(settings: Settings, host: str, port: int, *, demo: bool) -> int:
    import uvicorn

    from server.app import create_app
    from server.demo_data import DEMO_LOGINS

    base = f"http://{host}:{port}"
    print(f"Serveur central Centrale : {base}/api/v1/health  (base {settings.database_kind})", flush=True)
    print(f"Documentation de l'API : {base}/api/v1/docs", flush=True)
    if demo:
        print("Comptes de démonstration :", flush=True)
        for username, password, role in DEMO_LOGINS:
            print(f"  {role:<13} {username:<14} mot de passe : {password}", flush=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
