"""The back office's professionals: search (name, RPPS, profession, commune, network, active), their
settings (status, radius, communes served, notification hours, care modes — the same rules as their
own « Profil Activité »), networks and contact details, deactivation. Each change is audited with the
professional concerned and what changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from server.errors import Conflict, Invalid, not_found
from server.geo.communes import commune_index
from server.models import ProfessionalCommune, ProfessionalProfile, User, user_networks
from server.notify.webhook_policy import WebhookPolicy, WebhookRefused, check_registration
from server.notify.webhook_signing import new_secret
from server.services import accounts, profile
from server.services.acting import Acting
from shared.schemas.admin import (
    ProfessionalCreate,
    ProfessionalOut,
    ProfessionalPatch,
    WebhookSecretOut,
)
from shared.schemas.professional import ProfileOut, ProfileUpdate
from shared.validation import name_compact_key

COMMUNES_MATCHED = 500


def search_query(
    *,
    q: str | None = None,
    rpps: str | None = None,
    profession: str | None = None,
    commune: str | None = None,
    network_id: int | None = None,
    active: bool | None = None,
) -> Select[ProfessionalProfile]:
    """`q`: prefixes of the last and/or first name (accents, case and punctuation ignored);
    `rpps`: a prefix of the identifier; `commune`: an INSEE code (the practice's or one served) or
    the start of the practice's commune name."""
    query = select(ProfessionalProfile).order_by(
        ProfessionalProfile.last_name_key, ProfessionalProfile.user_id
    )
    for word in (q or "").split():
        key = name_compact_key(word)
        if key:
            query = query.where(
                or_(
                    ProfessionalProfile.last_name_key.startswith(key, autoescape=True),
                    ProfessionalProfile.first_name_key.startswith(key, autoescape=True),
                )
            )
    if rpps:
        query = query.where(ProfessionalProfile.rpps.startswith(rpps.strip(), autoescape=True))
    if profession:
        query = query.where(ProfessionalProfile.profession_code == profession)
    if commune and commune.strip():
        codes = communes_matching(commune)
        served = select(ProfessionalCommune.user_id).where(ProfessionalCommune.commune_insee.in_(codes))
        query = query.where(
            or_(ProfessionalProfile.commune_insee.in_(codes), ProfessionalProfile.user_id.in_(served))
        )
    if network_id is not None:
        members = select(user_networks.c.user_id).where(user_networks.c.network_id == network_id)
        query = query.where(ProfessionalProfile.user_id.in_(members))
    if active is not None:
        state = select(User.id).where(User.active.is_(active))
        query = query.where(ProfessionalProfile.user_id.in_(state))
    return query


def communes_matching(text: str) -> list[str]:
    """The INSEE codes `text` names: an INSEE code itself, or the communes whose postal code or
    name starts with it (accents, case and « St »/« Saint » ignored), the most populated first."""
    wanted = text.strip()
    index = commune_index()
    codes = [wanted.upper()] if wanted.upper() in index.by_code else []
    codes += [c.insee_code for c in index.search(wanted, COMMUNES_MATCHED)]
    return sorted(set(codes))


def _comparable(out: ProfessionalOut) -> dict[str, Any]:
    return out.model_dump(mode="json", exclude={"user_id", "username", "profession", "webhook_secret"})


def _check_webhook(url: str | None, policy: WebhookPolicy) -> None:
    """HTTPS to a public address unless the deployment allows otherwise (422 in French)."""
    if url is None:
        return
    try:
        check_registration(url, policy)
    except WebhookRefused as refused:
        raise Invalid(refused.code, refused.message) from refused


def _target(found: ProfessionalProfile) -> dict[str, Any]:
    return {"target_user_id": found.user_id, "target": found.user.username, "rpps": found.rpps}


def update(acting: Acting, user_id: int, body: ProfessionalPatch, webhooks: WebhookPolicy) -> ProfessionalOut:
    """`PATCH /admin/professionals/{id}`; `active` changes are audited as (re)activations. A new
    webhook URL is checked by `webhooks` and answered with its new signing key, this once."""
    _check_webhook(body.webhook_url, webhooks)
    with acting.transaction("admin_professional_update", target_user_id=user_id) as tx:
        found = _locked(tx.session, user_id)
        before = _comparable(accounts.professional_out(found))
        secret_before = found.webhook_secret
        found = accounts.patch_professional(tx.session, user_id, body)
        tx.session.flush()
        out = accounts.professional_out(found)
        if found.webhook_secret != secret_before:
            out.webhook_secret = found.webhook_secret
        after = _comparable(out)
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k] and k != "active"}
        if changes:
            acting.audit(tx.session, "admin_professional_update", changes=changes, **_target(found))
        if before["active"] != after["active"]:
            action = "admin_professional_reactivate" if out.active else "admin_professional_deactivate"
            acting.audit(tx.session, action, **_target(found))
        return out


def _locked(session: Session, user_id: int) -> ProfessionalProfile:
    found = session.get(ProfessionalProfile, user_id, with_for_update=True)
    if found is None:
        raise not_found("Professionnel")
    return found


def read_profile(acting: Acting, user_id: int) -> ProfileOut:
    """The professional's « Profil Activité » as they see it (the week in the FAQ's three states)."""
    with acting.transaction("admin_professional_profile_read", target_user_id=user_id) as tx:
        return profile.profile_out(tx.session, _locked(tx.session, user_id), acting.now)


def update_profile(acting: Acting, user_id: int, body: ProfileUpdate) -> ProfileOut:
    """The same change a professional makes on their « Profil Activité », by the platform team."""
    with acting.transaction("admin_professional_profile", target_user_id=user_id) as tx:
        found = _locked(tx.session, user_id)
        before = profile.profile_out(tx.session, found, acting.now).model_dump(mode="json")
        changed = profile.update_profile(tx.session, user_id, body, acting.now)
        tx.session.flush()
        out = profile.profile_out(tx.session, changed, acting.now)
        after = out.model_dump(mode="json")
        changes = {
            k: [before[k], after[k]]
            for k in sorted(body.model_fields_set)
            if k in before and before[k] != after[k]
        }
        if "unavailable_until" in body.model_fields_set and "availability" not in changes:
            changes["availability"] = [before["availability_label"], after["availability_label"]]
        acting.audit(
            tx.session,
            "admin_professional_profile",
            fields=sorted(body.model_fields_set),
            changes=changes,
            **_target(found),
        )
        return out


def create(acting: Acting, body: ProfessionalCreate, webhooks: WebhookPolicy) -> ProfessionalOut:
    """A new responder; with a webhook, the answer carries its signing key (shown this once)."""
    _check_webhook(body.webhook_url, webhooks)
    with acting.transaction("admin_professional_create", username=body.username) as tx:
        found = accounts.create_professional(tx.session, body, acting.now)
        acting.audit(tx.session, "admin_professional_create", status=201, **_target(found))
        out = accounts.professional_out(found)
        out.webhook_secret = found.webhook_secret
        return out


def rotate_webhook_secret(acting: Acting, user_id: int) -> WebhookSecretOut:
    """`POST /admin/professionals/{id}/webhook-secret`: a new key, shown once; the old one stops
    signing at once (queued deliveries are signed with the key current when they are sent)."""
    with acting.transaction("admin_professional_webhook_secret", target_user_id=user_id) as tx:
        found = _locked(tx.session, user_id)
        if found.webhook_url is None:
            raise Conflict("webhook_missing", "Ce professionnel n'a pas de webhook")
        found.webhook_secret = new_secret()
        acting.audit(tx.session, "admin_professional_webhook_secret", **_target(found))
        return WebhookSecretOut(webhook_secret=found.webhook_secret)
