"""Change feed numbered at commit on PostgreSQL

Events used to take their number from `feed_counter` as they were appended, so the counter's row
lock was held from the first event of a transaction until its commit, including the Python work
and network round trips in between: every writer queued behind it. Now a transaction inserts
its events with a negative placeholder number, and a deferred constraint trigger, which runs
inside COMMIT, gives each its real number and queues the NOTIFY: the lock is held for the commit
alone. Numbers still follow commit order with no gap a resuming reader could see (the lock is
released only once the commit is visible). SQLite keeps numbering as events are appended: its
transactions are serialised from their first statement anyway.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE events_placeholder_seq")
    op.execute(
        """
        CREATE FUNCTION events_number_at_commit() RETURNS trigger AS $$
        DECLARE
            assigned bigint;
        BEGIN
            IF NEW.seq > 0 THEN
                RETURN NULL;
            END IF;
            UPDATE feed_counter SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq INTO assigned;
            UPDATE events SET seq = assigned WHERE seq = NEW.seq;
            PERFORM pg_notify('centrale_events', assigned::text);
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER events_number_at_commit AFTER INSERT ON events "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_number_at_commit()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS events_number_at_commit ON events")
    op.execute("DROP FUNCTION IF EXISTS events_number_at_commit()")
    op.execute("DROP SEQUENCE IF EXISTS events_placeholder_seq")
