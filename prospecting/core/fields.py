"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from prospecting.core.domains import InvalidDomainError, normalize_domain


class DomainNameField(models.CharField):
    """A CharField that always stores a normalized domain name (see `normalize_domain`), or NULL.

    Normalization happens when the value is cleaned (forms, serializers, full_clean), right before every
    save/bulk_create (strictly: an invalid domain raises), and when a value is prepared for the database
    (leniently: `filter(domain_name="https://www.Example.lu/")` finds `example.lu`, and `update()` stores
    the normalized form). A CHECK constraint guards raw SQL.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 253)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str | None:
        value = super().to_python(value)
        if value is None or not value.strip():
            return None
        try:
            return normalize_domain(value)
        except InvalidDomainError as exc:
            raise ValidationError(str(exc), code="invalid_domain") from exc

    def get_prep_value(self, value: Any) -> Any:
        value = models.Field.get_prep_value(self, value)
        if value is None or not isinstance(value, str):
            return value
        try:
            return normalize_domain(value)
        except InvalidDomainError:
            return value

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
