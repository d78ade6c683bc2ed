"""Every route of the API declares the roles allowed to call it; only a short list is public."""

from __future__ import annotations

from pathlib import Path

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from server.api.context import RoleGuard
from server.api.telephony_guard import TelephonyGuard
from server.app import API_PREFIX, create_app, routers
from server.settings import Settings
from shared.domain import Role

# Kamailio's and the queue holder's routes: the deployment's token instead of a user's role.
TELEPHONY = {
    ("GET", "/api/v1/telephony/route"),
    ("POST", "/api/v1/telephony/events"),
    ("POST", "/api/v1/telephony/queue/next"),
}
PUBLIC = {
    ("GET", "/api/v1/health"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/test/clock"),
    ("POST", "/api/v1/test/clock/advance"),
    # Enrolment and « Mot de passe oublié »: no account yet; each step after the form proves it is
    # the applicant's (X-Registration-Token, the SMS code, the e-mailed link).
    ("POST", "/api/v1/registrations"),
    ("GET", "/api/v1/registrations/{registration_id}"),
    ("POST", "/api/v1/registrations/{registration_id}/phone-code"),
    ("POST", "/api/v1/registrations/{registration_id}/phone-code/resend"),
    ("POST", "/api/v1/registrations/{registration_id}/documents"),
    ("POST", "/api/v1/registrations/email"),
    ("POST", "/api/v1/password-reset"),
    ("POST", "/api/v1/password-reset/confirm"),
}


def _guards(dependant: Dependant) -> list[RoleGuard]:
    found = [dependant.call] if isinstance(dependant.call, RoleGuard) else []
    for sub in dependant.dependencies:
        found.extend(_guards(sub))
    return [g for g in found if isinstance(g, RoleGuard)]


def _token_guarded(dependant: Dependant) -> bool:
    """Guarded by the telephony's token (Kamailio and the queue holder: no user, no role)."""
    return isinstance(dependant.call, TelephonyGuard) or any(
        _token_guarded(d) for d in dependant.dependencies
    )


def _routes(tmp_path: Path, *, test_clock: bool) -> dict[tuple[str, str], list[RoleGuard]]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}", data_dir=tmp_path, test_clock=test_clock
    )
    table = {}
    for router in routers(settings):
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in route.methods or ():
                table[(method, API_PREFIX + route.path)] = _guards(route.dependant)
    # The application serves exactly these routes (its OpenAPI document lists what it answers).
    served = {
        (method.upper(), path)
        for path, operations in create_app(settings).openapi()["paths"].items()
        for method in operations
    }
    assert served == set(table)
    return table


def test_every_route_declares_its_roles(tmp_path: Path) -> None:
    routes = _routes(tmp_path, test_clock=True)
    undeclared = sorted(key for key, guards in routes.items() if not guards and key not in PUBLIC | TELEPHONY)
    assert undeclared == []
    assert set(routes) >= PUBLIC | TELEPHONY
    assert all(len(guards) == 1 for key, guards in routes.items() if key not in PUBLIC | TELEPHONY)


def test_sensitive_routes_allow_only_the_expected_roles(tmp_path: Path) -> None:
    routes = _routes(tmp_path, test_clock=False)
    staff = {Role.OPERATOR, Role.SECRETARY, Role.SUPERVISOR}
    assert routes[("GET", "/api/v1/patients")][0].roles == staff  # searching is the hotline's alone
    # Professionals create patients and cases for their own requests (checked per patient).
    assert routes[("POST", "/api/v1/patients")][0].roles == staff | {Role.PROFESSIONAL}
    assert routes[("POST", "/api/v1/cases")][0].roles == staff | {Role.PROFESSIONAL}
    assert routes[("GET", "/api/v1/patients/{patient_id}")][0].roles == staff | {Role.PROFESSIONAL}
    for tail in ("visits", "reports", "end-series"):
        path = f"/api/v1/prescriptions/{{prescription_id}}/{tail}"
        assert routes[("POST", path)][0].roles == {Role.PROFESSIONAL}
    for method in ("GET", "PUT"):
        assert routes[(method, "/api/v1/me/profile")][0].roles == {Role.PROFESSIONAL}
    assert routes[("GET", "/api/v1/me/cases")][0].roles == {Role.PROFESSIONAL}
    assert routes[("GET", "/api/v1/admin/audit")][0].roles == {Role.ADMIN}
    admin_routes = [guards for (_, path), guards in routes.items() if path.startswith("/api/v1/admin/")]
    assert admin_routes
    assert all(g[0].roles == {Role.ADMIN} for g in admin_routes)


def test_only_the_telephony_routes_take_the_telephony_token(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}", data_dir=tmp_path)
    by_token = {
        (method, API_PREFIX + route.path)
        for router in routers(settings)
        for route in router.routes
        if isinstance(route, APIRoute) and _token_guarded(route.dependant)
        for method in route.methods or ()
    }
    assert by_token == TELEPHONY
    routes = _routes(tmp_path, test_clock=False)
    assert all(not routes[key] for key in TELEPHONY)  # no user's role on top of the token
    assert routes[("PUT", "/api/v1/hotline/settings")][0].roles == {Role.ADMIN}
    assert routes[("GET", "/api/v1/agents")][0].roles == {Role.SUPERVISOR, Role.ADMIN}


def test_the_test_clock_does_not_exist_without_its_setting(tmp_path: Path) -> None:
    routes = _routes(tmp_path, test_clock=False)
    assert not any(path.startswith("/api/v1/test") for _, path in routes)
