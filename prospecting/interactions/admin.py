"""Admin of the interaction log and the Follow-ups page (overdue, today, this week, later; mine by default)."""

from __future__ import annotations

import datetime

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from prospecting.core.admin_writes import ServiceWritesAdmin
from prospecting.interactions import services
from prospecting.interactions.calendar import calendar_feed_reset, calendar_feed_revoke, calendar_feed_url
from prospecting.interactions.models import CalendarFeed, FollowUp, Interaction
from prospecting.interactions.selectors import followups_buckets
from prospecting.prospects.admin_scoping import ProspectScopedAdminMixin
from prospecting.prospects.selectors import prospects_visible_to


@admin.register(Interaction)
class InteractionAdmin(ProspectScopedAdminMixin, ServiceWritesAdmin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "prospect",
        "interaction_type",
        "subject",
        "outcome",
        "next_action",
        "next_action_date",
        "follow_up_owner",
        "follow_up_done_at",
        "created_by",
    ]
    list_filter = ["interaction_type", "outcome", "next_action_date"]
    search_fields = ["subject", "notes", "next_action", "prospect__business_name", "prospect__domain_name"]
    list_select_related = ["prospect", "created_by", "follow_up_owner"]
    autocomplete_fields = ["prospect"]
    fields = [
        "prospect",
        "interaction_type",
        "subject",
        "notes",
        "outcome",
        "next_action",
        "next_action_date",
        "follow_up_owner",
        "follow_up_done_at",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["follow_up_done_at", "created_by", "created_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # The prospect of a logged interaction does not change (log a new one on the other prospect).
        return [*self.readonly_fields, "prospect"] if obj else self.readonly_fields

    def service_create(self, request, parent, data):
        prospect = data.pop("prospect")
        return services.interaction_create(prospect=prospect, data=data, user=request.user)

    def service_update(self, request, obj, data):
        return services.interaction_update(interaction=obj, data=data, user=request.user)

    def service_delete(self, request, obj):
        services.interaction_delete(interaction=obj, user=request.user)


@admin.register(FollowUp)
class FollowUpAdmin(ProspectScopedAdminMixin, admin.ModelAdmin):
    """The Follow-ups page: open tasks by due date (mine by default), with one-click done and snooze."""

    list_display = ["next_action_date", "prospect", "next_action", "follow_up_owner"]
    list_select_related = ["prospect", "follow_up_owner", "created_by"]
    readonly_fields = [
        "prospect",
        "interaction_type",
        "subject",
        "notes",
        "outcome",
        "next_action",
        "next_action_date",
        "follow_up_owner",
        "follow_up_done_at",
        "created_by",
        "created_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(next_action_date__isnull=False)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method == "POST":
            return self._act(request)
        users = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
        choice = request.GET.get("owner", "me")
        if choice == "all":
            owner = None
        elif choice.isdigit():
            owner = users.filter(pk=int(choice)).first() or request.user
        else:
            owner = request.user
        buckets = followups_buckets(owner=owner, prospects=prospects_visible_to(request.user))
        today = timezone.localdate()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Follow-ups"),
            "buckets": [
                (_("Overdue"), buckets.overdue),
                (_("Today"), buckets.today),
                (_("This week"), buckets.this_week),
                (_("Later"), buckets.later),
            ],
            "later_truncated": buckets.later_truncated,
            "owner_choice": "all" if owner is None else str(owner.pk),
            "me": request.user,
            "users": users,
            "snooze_choices": [
                (_("Tomorrow"), today + datetime.timedelta(days=1)),
                (_("Next week"), today + datetime.timedelta(days=7)),
            ],
            "can_change": self.has_change_permission(request),
            "feed_url": calendar_feed_url(feed)
            if (feed := CalendarFeed.objects.filter(user=request.user).first())
            else "",
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/interactions/followup/follow_ups.html", context)

    def _act(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("action") in {"feed_reset", "feed_revoke"}:  # the user's own feed: no model permission
            if request.POST["action"] == "feed_reset":
                calendar_feed_reset(user=request.user)
                messages.success(request, _("Your calendar feed has a new address; the old one no longer works."))
            else:
                calendar_feed_revoke(user=request.user)
                messages.success(request, _("Your calendar feed is switched off."))
            return HttpResponseRedirect(request.get_full_path())
        if not self.has_change_permission(request):
            raise PermissionDenied
        interaction = self.get_queryset(request).filter(pk=request.POST.get("interaction") or 0).first()
        if interaction is None:
            messages.error(request, _("That follow-up no longer exists or is not yours to change."))
            return HttpResponseRedirect(request.get_full_path())
        try:
            if request.POST.get("action") == "done":
                services.follow_up_done(interaction=interaction, user=request.user)
                messages.success(request, _("Done: %(task)s.") % {"task": interaction.next_action or interaction})
            else:
                until = datetime.date.fromisoformat(request.POST.get("until", ""))
                services.follow_up_snooze(interaction=interaction, until=until, user=request.user)
                messages.success(
                    request,
                    _("Snoozed to %(date)s: %(task)s.")
                    % {"date": date_format(until), "task": interaction.next_action or interaction},
                )
        except (ValueError, ValidationError) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else _("Give a valid date.")
            messages.error(request, text)
        return HttpResponseRedirect(request.get_full_path())


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Users' private calendar feeds; deleting one revokes its URL (users reset or revoke theirs on the
    Follow-ups page)."""

    list_display = ["user", "created_at", "last_read_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "created_at", "last_read_at"]
    exclude = ["token"]

    def has_add_permission(self, request):
        return False
