"""Trigram indexes for the search box (business name, domain, city, contact values): PostgreSQL only.

`icontains` becomes `UPPER(column) LIKE UPPER('%term%')`, which no B-tree index can serve; a GIN trigram index
on the same expression can. SQLite has no such index and is not meant for a million rows: nothing to do there.
pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
"""

from django.db import migrations

INDEXES = [
    ("prospect_business_trgm_idx", "prospects_prospect", "UPPER(business_name)"),
    ("prospect_domain_trgm_idx", "prospects_prospect", "UPPER(domain_name)"),
    ("prospect_city_trgm_idx", "prospects_prospect", "UPPER(city)"),
    ("contact_value_trgm_idx", "prospects_prospectcontact", "UPPER(value)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("prospects", "0006_follow_ups_and_conversions")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
