"""Retention (issue 20), on a server of the module's own whose test clock moves, SQLite and
PostgreSQL: the admin sets it; a thread without a message for that long is archived by the
scheduler's job — read-only, out of the default list, everything kept."""

from __future__ import annotations

from tests.support.live import LiveServer
from tests.support.messaging import post, professional, sql, start

DAY = 24 * 3600


def test_the_admin_sets_the_retention_and_old_threads_are_archived(clock_server: LiveServer) -> None:
    server = clock_server
    settings = server.admin().get("/admin/messaging-settings")
    assert settings.status_code == 200, settings.text
    assert settings.json() == {"retention_days": 365}
    for wrong in (29, 36501, "trente"):
        refused = server.admin().put("/admin/messaging-settings", json={"retention_days": wrong})
        assert refused.status_code == 422, refused.text
    saved = server.admin().put("/admin/messaging-settings", json={"retention_days": 30})
    assert saved.status_code == 200, saved.text
    assert server.admin().get("/admin/messaging-settings").json() == {"retention_days": 30}
    anne, bruno = professional(server), professional(server)
    assert anne.client.get("/admin/messaging-settings").status_code == 403
    quiet = start(anne, bruno, subject="Ancienne conversation")
    lively = start(anne, bruno, subject="Conversation suivie")
    server.advance(20 * DAY)
    anne.relogin(server)
    bruno.relogin(server)
    post(bruno, lively["id"], "Toujours là")
    server.advance(11 * DAY)  # the quiet one: 31 days without a message; the lively one: 11
    anne.relogin(server)
    bruno.relogin(server)
    listed = {t["id"] for t in anne.client.get("/threads").json()["items"]}
    assert lively["id"] in listed
    assert quiet["id"] not in listed
    archived = anne.client.get("/threads", params={"archived": "true"}).json()
    assert [t["id"] for t in archived["items"]] == [quiet["id"]]
    assert archived["items"][0]["archived"] is True
    # Read-only, still readable; nothing deleted.
    refused = anne.client.post(f"/threads/{quiet['id']}/messages", json={"text": "Encore ?"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "thread_archived"
    messages = bruno.client.get(f"/threads/{quiet['id']}/messages").json()["items"]
    assert [m["text"] for m in messages] == ["Bonjour"]
    assert sql(server, "SELECT count(*) FROM messages WHERE thread_id = :t", t=quiet["id"]) == [(1,)]
    # Bruno never read its first message: unread in the archived list, but out of the menu's badge.
    [old] = bruno.client.get("/threads", params={"archived": "true"}).json()["items"]
    assert old["unread"] == 1
    assert bruno.client.get("/threads/unread").json() == {"unread_threads": 0, "unread_messages": 0}
    assert anne.client.get("/threads/unread").json() == {"unread_threads": 1, "unread_messages": 1}
