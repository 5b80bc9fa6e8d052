"""Database helpers shared by the services."""

from __future__ import annotations

import json
from typing import Any

from django.db import DatabaseError, connections, models, transaction
from django.db.models import QuerySet


def save_existing(instance: models.Model, **kwargs: object) -> None:
    """Save changes to a row that must still exist: an UPDATE, never an INSERT.

    A plain `save()` whose UPDATE matches nothing (someone deleted the row meanwhile) inserts it again: a
    deleted prospect would come back. Here it raises the model's DoesNotExist instead (the API answers 404).
    """
    try:
        with transaction.atomic():
            instance.save(force_update=True, **kwargs)
    except DatabaseError:
        if not type(instance)._default_manager.filter(pk=instance.pk).exists():
            raise type(instance).DoesNotExist(f"{type(instance).__name__} #{instance.pk} was deleted.") from None
        raise


# Field types whose Python value is already what the database driver takes when it is None, str, int, float
# or bool: their per-value preparation can be skipped. Everything else (dates, decimals, JSON) is prepared.
_PLAIN_TYPES = frozenset(
    {
        "CharField", "TextField", "SlugField", "EmailField", "URLField", "BooleanField", "IntegerField",
        "SmallIntegerField", "BigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
        "PositiveBigIntegerField", "FloatField", "ForeignKey",
    }
)  # fmt: skip
_PLAIN_VALUES = (str, int, float, bool)


def _row_values(fields: list[models.Field], connection: Any) -> Any:
    """A function giving the database values of these fields of an object (the hot loop of a bulk write)."""
    specs = [(field, field.attname, field.is_relation, field.get_internal_type() in _PLAIN_TYPES) for field in fields]

    def values(obj: models.Model) -> list[Any]:
        row = []
        for field, attname, relation, plain in specs:
            if relation and field.is_cached(obj):
                related = getattr(obj, field.name)  # a related row saved after it was assigned: its key now
                row.append(None if related is None else related.pk)
                continue
            value = obj.__dict__[attname] if attname in obj.__dict__ else getattr(obj, attname)  # deferred: load
            if value is None or (plain and isinstance(value, _PLAIN_VALUES)):
                row.append(value)
            else:
                row.append(field.get_db_prep_save(value, connection))
        return row

    return values


def rows_insert(
    model: type[models.Model],
    objs: list[models.Model],
    *,
    ignore_conflicts: bool = False,
    unique_fields: list[str] | None = None,
    update_fields: list[str] | None = None,
    using: str = "default",
) -> None:
    """Insert many new rows like `bulk_create`, several times faster for wide models.

    Django prepares every value of every row through the field API and rebuilds the statement for each batch;
    here plain values (text, numbers, None) go to the driver as they are and only the others are prepared.
    Auto-now dates are filled. A row that conflicts is skipped (`ignore_conflicts`) or updated (`update_fields`
    on `unique_fields`, an upsert); otherwise each object gets its primary key back (RETURNING, in insertion
    order as `bulk_create` relies on too).
    """
    if not objs:
        return
    connection = connections[using]
    if not connection.features.can_return_rows_from_bulk_insert:  # an old SQLite: Django's way
        model._default_manager.using(using).bulk_create(
            objs,
            ignore_conflicts=ignore_conflicts,
            update_conflicts=bool(update_fields),
            unique_fields=unique_fields,
            update_fields=update_fields,
        )
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, add=True)
    quote = connection.ops.quote_name
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608 - names from the model
    returning = not (ignore_conflicts or update_fields)
    if update_fields:
        target = ", ".join(quote(model._meta.get_field(name).column) for name in unique_fields or [])
        updates = ", ".join(
            f"{quote(column)} = excluded.{quote(column)}"
            for column in (model._meta.get_field(name).column for name in update_fields)
        )
        tail = f" ON CONFLICT ({target}) DO UPDATE SET {updates}"
    elif ignore_conflicts:
        tail = " ON CONFLICT DO NOTHING"
    else:
        tail = f" RETURNING {quote(model._meta.pk.column)}"
    batch = max(1, connection.ops.bulk_batch_size(fields, objs))
    row_values = _row_values(fields, connection)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params = [value for obj in chunk for value in row_values(obj)]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)
            if returning:
                for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    obj.pk = pk
            for obj in chunk:
                obj._state.adding, obj._state.db = False, using


def rows_update(
    model: type[models.Model], objs: list[models.Model], fields: list[str], *, using: str = "default"
) -> None:
    """Write these fields of existing rows: one prepared UPDATE run for every row (`bulk_update` builds a CASE
    expression per field and row, ten times slower at a thousand rows)."""
    if not objs:
        return
    connection = connections[using]
    model_fields = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in model_fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
    for field in model_fields:
        if getattr(field, "auto_now", False):
            for obj in objs:
                field.pre_save(obj, add=False)
    row_values = _row_values(model_fields, connection)
    rows = [[*row_values(obj), obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def planner_row_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of how many rows a query returns (EXPLAIN, no execution); None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])
