"""The audit chain's lock and head in one round trip: a VOLATILE PL/pgSQL function takes the writers' advisory
lock, then reads the last row's hash and the next id. A VOLATILE function takes a fresh snapshot for each
statement it runs, so the read after the lock sees the row of the writer that held it (one SQL statement
holding both would read with the snapshot it started with, before the lock was granted)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION sluice_audit_chain_head(lock_key bigint)
RETURNS TABLE (last_hash varchar, next_id bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY SELECT
        (SELECT e.row_hash FROM routing_auditevent e ORDER BY e.id DESC LIMIT 1),
        nextval(pg_get_serial_sequence('routing_auditevent', 'id'));
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("routing", "0010_audit_api_key")]

    operations = [migrations.RunSQL(CREATE, "DROP FUNCTION IF EXISTS sluice_audit_chain_head(bigint)")]
