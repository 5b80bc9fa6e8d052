"""Reads on prospects."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, Q, QuerySet, Subquery

from prospecting.prospects.models import ImportRow, Prospect, ProspectContact


def primary_contact_value(contact_type: str) -> Subquery:
    """Annotation: the value of a prospect's primary contact of this type (else its oldest one)."""
    contacts = ProspectContact.objects.filter(prospect=OuterRef("pk"), contact_type=contact_type)
    return Subquery(contacts.order_by("-is_primary", "id").values("value")[:1])


def prospect_home_url(prospect: Prospect) -> str:
    """Where a prospect's site lives: the HTTP check's final URL, else its domain on the scheme it serves."""
    return prospect.redirect_url or f"{'https' if prospect.uses_https else 'http'}://{prospect.domain_name}/"


VIEW_ALL_PERMISSION = "prospects.view_all_prospects"


def prospect_visibility_q(user: AbstractBaseUser | AnonymousUser | None, *, path: str = "") -> Q:
    """The condition a user's prospects meet (`path`: the relation to the prospect, e.g. "prospect").

    Admins and viewers (permission `prospects.view_all_prospects`) see every prospect; everyone else (Sales)
    sees their own and the unassigned ones. Nobody signed in sees none.
    """
    prefix = f"{path}__" if path else ""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.has_perm(VIEW_ALL_PERMISSION):
        return Q()
    return Q(**{f"{prefix}owner": user}) | Q(**{f"{prefix}owner__isnull": True})


def prospects_visible_to(
    user: AbstractBaseUser | AnonymousUser | None, queryset: QuerySet[Prospect] | None = None
) -> QuerySet[Prospect]:
    """The prospects this user may read and change: every prospect-scoped admin page and API endpoint starts
    here (or from `prospect_visibility_q` for rows that belong to a prospect)."""
    queryset = Prospect.objects.all() if queryset is None else queryset
    return queryset.filter(prospect_visibility_q(user))


def prospects_created_by_import(batch_id: int) -> QuerySet[ImportRow]:
    """The ids of the prospects an import batch created (a subquery: any number of rows)."""
    return ImportRow.objects.filter(
        batch_id=batch_id, outcome=ImportRow.Outcome.CREATED, prospect__isnull=False
    ).values_list("prospect_id", flat=True)


def prospects_search(queryset: QuerySet[Prospect], term: str) -> QuerySet[Prospect]:
    """Prospects whose business name, domain or city contains the term, or one of whose e-mails or phone
    numbers does (the admin search box and the API's `search`). Served by trigram indexes on PostgreSQL."""
    term = term.strip()
    if not term:
        return queryset
    # One indexed lookup per column, united: an OR across columns and a subquery would read every row.
    matches = (
        Prospect.objects.filter(business_name__icontains=term)
        .order_by()
        .values("pk")
        .union(
            Prospect.objects.filter(domain_name__icontains=term.lower()).order_by().values("pk"),
            Prospect.objects.filter(city__icontains=term).order_by().values("pk"),
            ProspectContact.objects.filter(value__icontains=term).order_by().values("prospect_id"),
        )
    )
    return queryset.filter(pk__in=matches)


def batch_targets_scoped(
    user: AbstractBaseUser | AnonymousUser | None, *, prospect_ids: list[int] | None, filters: dict | None
) -> tuple[list[int] | None, dict | None]:
    """The targets of a batch a user starts (scans, campaign sends), cut to the prospects they may see: ids
    they may not see are dropped (an empty list: none left), a filter gets `visible_to` (the job re-reads it
    on a resume, so the cut holds then too)."""
    if user is not None and user.is_authenticated and user.has_perm(VIEW_ALL_PERMISSION):
        return prospect_ids, filters
    if prospect_ids:
        visible = prospects_visible_to(user).filter(pk__in=prospect_ids).values_list("pk", flat=True)
        return list(visible), filters
    return prospect_ids, {**(filters or {}), "visible_to": user.pk if user is not None else 0}
