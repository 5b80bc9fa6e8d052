"""Admin pages of rows that belong to a prospect show only the prospects the user may see (roles: Sales see
their own and unassigned prospects, Admin and Viewer every prospect)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from prospecting.prospects.selectors import prospect_visibility_q, prospects_visible_to


class ProspectScopedAdminMixin:
    """Mixed into a ModelAdmin (before it): its list, change pages, actions and autocompletes leave out the
    rows of prospects the user may not see (a change URL of another owner's row is a "not found")."""

    prospect_path = "prospect"  # the relation from the admin's model to the prospect; "" for Prospect itself

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return queryset.filter(prospect_visibility_q(request.user, path=self.prospect_path))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # noqa: ANN001, ANN201
        if db_field.name == "prospect":
            kwargs["queryset"] = prospects_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
