"""Database helpers shared by the services."""

from __future__ import annotations

from django.db import DatabaseError, models, transaction


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
