"""The API client against a real server: login, patients through the wizard, directory, communes."""

from __future__ import annotations

import pytest

from desktop.services.caller_lookup import ServerLookup
from desktop.state.wizard.wizard import Step
from desktop.sync.client import ApiClient
from desktop.sync.errors import RequestRefused, SessionExpired
from shared.domain import Role
from tests.support.desktop import new_patient_wizard, operator_account
from tests.support.live import LiveServer

pytestmark = pytest.mark.anyio


async def test_login_search_create_and_patch_a_patient(shared_server: LiveServer) -> None:
    username, password, operator = operator_account(shared_server)
    async with ApiClient(shared_server.process.base_url) as client:
        with pytest.raises(RequestRefused) as refused:
            await client.login(username, "wrong-password-here")
        assert (refused.value.status, refused.value.message) == (401, "Identifiant ou mot de passe incorrect")
    async with ApiClient(shared_server.process.base_url) as client:
        with pytest.raises(SessionExpired, match="Authentification requise"):
            await client.search_patients(last_name="Dupont")
        login = await client.login(username, password)
        assert login.user.role is Role.OPERATOR
        assert (await client.me()).id == operator.user_id

        wizard = new_patient_wizard(operator)
        assert (await client.search_patients(**wizard.search.query())).items == []
        submission = wizard.submission()
        assert submission.patient_create is not None
        created = await client.create_patient(submission.patient_create)
        assert (created.last_name, created.phone, created.commune_insee) == (
            wizard.search.last_name,
            submission.patient_create["phone"],
            "91228",
        )

        # searching again finds it; a second wizard picks it and patches one field
        found = await client.search_patients(**wizard.search.query())
        assert [item.id for item in found.items] == [created.id]
        again = new_patient_wizard(operator)
        again.search.phone, again.search.last_name = wizard.search.phone, wizard.search.last_name
        again.search.first_name, again.search.birth_date = wizard.search.first_name, wizard.search.birth_date
        again.search.set_results(await client.search_patients(**again.search.query()))
        again.use_patient(await client.get_patient(created.id))
        again.set_field(Step.PATIENT, "digicode", "4521B")
        patch = again.submission().patient_patch
        assert patch == {"digicode": "4521B", "version": created.version}
        patched = await client.patch_patient(created.id, patch)
        assert (patched.digicode, patched.version) == ("4521B", created.version + 1)
        with pytest.raises(RequestRefused) as stale:
            await client.patch_patient(created.id, patch)  # the version read is no longer current
        assert (stale.value.status, stale.value.code) == (409, "stale_version")

        # a new patient that looks like the one just created: the server lists it first
        twin = dict(submission.patient_create, acknowledge_duplicates=False)
        with pytest.raises(RequestRefused) as duplicates:
            await client.create_patient(twin)
        assert duplicates.value.code == "possible_duplicates"


async def test_refusals_come_with_french_field_messages(shared_server: LiveServer) -> None:
    username, password, operator = operator_account(shared_server)
    async with ApiClient(shared_server.process.base_url) as client:
        await client.login(username, password)
        wizard = new_patient_wizard(operator)
        body = wizard.case_body(patient_id=1)
        body["prescriptions"][0]["comment"] = ""  # the wizard would refuse it; the server too
        with pytest.raises(RequestRefused) as refused:
            await client.create_case(body, "f0c7d1ae-5d7c-4a84-9f55-5b1a8a0d5b3e")
        assert refused.value.status == 422
        assert "Le commentaire est obligatoire" in refused.value.full_message()
        with pytest.raises(RequestRefused, match="au moins 3 lettres"):
            await client.search_directory(last_name="Pa")


async def test_directory_communes_and_caller_lookup(shared_server: LiveServer) -> None:
    username, password, operator = operator_account(shared_server)
    async with ApiClient(shared_server.process.base_url) as client:
        await client.login(username, password)
        communes = await client.communes("Evry")
        assert "91228" in {c.insee_code for c in communes}
        assert (await client.search_directory(last_name="Zzzyx", profession="60")).items == []
        wizard = new_patient_wizard(operator)
        submission = wizard.submission()
        assert submission.patient_create is not None
        patient = await client.create_patient(submission.patient_create)
        candidates = await ServerLookup(client)(patient.phone)
        assert [c.id for c in candidates] == [f"patient:{patient.id}"]
        assert candidates[0].kind == "patient"
