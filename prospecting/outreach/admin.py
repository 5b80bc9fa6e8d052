"""Outreach in the admin: templates (validated, with a preview), custom variables, sender accounts (secrets
never shown), the read-only sends with their statistics, sequences (the do-not-contact list is the
suppression list, in core)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from prospecting.core.admin_writes import ServiceWritesAdmin
from prospecting.core.api import MAX_ID
from prospecting.outreach import admin_actions
from prospecting.outreach.models import (
    CampaignSend,
    CampaignTemplate,
    CustomVariable,
    SenderAccount,
    Sequence,
    SequenceEnrolment,
    SequenceStep,
)
from prospecting.outreach.rendering import TemplateError, template_check
from prospecting.outreach.services import templates as template_services
from prospecting.outreach.services.accounts import account_save
from prospecting.outreach.services.sending import send_retry
from prospecting.outreach.services.sequences import enrolment_stop, sequence_enrol
from prospecting.prospects.admin_scoping import ProspectScopedAdminMixin
from prospecting.prospects.selectors import prospects_visible_to
from prospecting.scoring import admin as scoring_admin
from prospecting.scoring.models import Lead

# --- templates ------------------------------------------------------------------------------------------------


class CampaignTemplateForm(forms.ModelForm):
    class Meta:
        model = CampaignTemplate
        fields = [
            "name",
            "slug",
            "lead_type",
            "channel",
            "language",
            "subject_template",
            "body_template",
            "html_template",
            "is_active",
        ]

    def clean(self) -> dict:
        data = super().clean()
        allowed = template_services.placeholders_allowed()
        for name in ("subject_template", "body_template", "html_template"):
            try:
                template_check([data.get(name) or ""], allowed)
            except TemplateError as exc:
                self.add_error(name, str(exc))
        if data.get("channel") == CampaignTemplate.Channel.EMAIL and not (data.get("subject_template") or "").strip():
            self.add_error("subject_template", "An e-mail needs a subject.")
        return data


class PreviewForm(forms.Form):
    prospect = forms.IntegerField(
        min_value=1, max_value=MAX_ID, label=_("Prospect id"), help_text=_("The id of the prospect to preview for.")
    )


@admin.register(CampaignTemplate)
class CampaignTemplateAdmin(ServiceWritesAdmin, admin.ModelAdmin):
    form = CampaignTemplateForm
    list_display = ["name", "lead_type", "language", "channel", "is_active", "sent", "opened", "clicked", "bounced"]
    list_filter = ["channel", "language", "is_active", "lead_type"]
    search_fields = ["name", "subject_template", "body_template"]
    readonly_fields = ["placeholders", "statistics", "preview_link", "created_at", "updated_at"]
    fields = [
        "name",
        "slug",
        ("lead_type", "language", "channel", "is_active"),
        "subject_template",
        "body_template",
        "html_template",
        "placeholders",
        "preview_link",
        "statistics",
        ("created_at", "updated_at"),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                sent_count=Count("sends", filter=Q(sends__status=CampaignSend.Status.SENT)),
                opened_count=Count("sends", filter=Q(sends__opened_at__isnull=False)),
                clicked_count=Count("sends", filter=Q(sends__clicked_at__isnull=False)),
                bounced_count=Count("sends", filter=Q(sends__bounced_at__isnull=False)),
            )
        )

    @admin.display(description=_("Sent"), ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count

    @admin.display(description=_("Opened"), ordering="opened_count")
    def opened(self, obj):
        return obj.opened_count

    @admin.display(description=_("Clicked"), ordering="clicked_count")
    def clicked(self, obj):
        return obj.clicked_count

    @admin.display(description=_("Bounced"), ordering="bounced_count")
    def bounced(self, obj):
        return obj.bounced_count

    @admin.display(description=_("Placeholders"))
    def placeholders(self, obj):
        rows = sorted(template_services.placeholders_allowed().items())
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li><code>{{{}}}</code> — {}</li>", ((k, v) for k, v in rows))
        )

    @admin.display(description=_("Statistics"))
    def statistics(self, obj):
        if not obj.pk:
            return "—"
        from prospecting.outreach.selectors import send_stats

        stats = send_stats(template=obj)
        return ", ".join(f"{name}: {value}" for name, value in stats.items())

    @admin.display(description=_("Preview"))
    def preview_link(self, obj):
        if not obj.pk:
            return "Save the template first."
        url = reverse("admin:outreach_campaigntemplate_preview", args=[obj.pk])
        return format_html('<a class="button" href="{}">Preview for a prospect…</a>', url)

    change_form_template = "admin/outreach/campaigntemplate/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The template page previews the saved template for a prospect picked by id (`?preview_prospect=`)."""
        extra_context = dict(extra_context or {})
        raw = request.GET.get("preview_prospect", "")
        if request.method == "GET" and raw:
            extra_context["preview_prospect"] = raw
            template = CampaignTemplate.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
            wanted = int(raw) if raw.isdigit() and int(raw) <= MAX_ID else None
            visible = prospects_visible_to(request.user).filter(pk=wanted) if wanted else None
            if template is None or visible is None or not visible.exists():
                extra_context["preview_error"] = f"No prospect #{raw} that you may see."
            else:
                try:
                    extra_context["preview"] = template_services.campaign_preview(template=template, prospect_id=wanted)
                except TemplateError as exc:
                    extra_context["preview_error"] = str(exc)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        preview = path(
            "<int:template_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="outreach_campaigntemplate_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest, template_id: int):
        if not self.has_view_permission(request) or not request.user.has_perm("prospects.view_prospect"):
            raise PermissionDenied
        template = get_object_or_404(CampaignTemplate, pk=template_id)
        form = PreviewForm(request.GET or None)
        preview = None
        if form.is_valid() and not prospects_visible_to(request.user).filter(pk=form.cleaned_data["prospect"]).exists():
            form.add_error("prospect", "No such prospect among those you may see.")
        elif form.is_valid():
            try:
                preview = template_services.campaign_preview(
                    template=template, prospect_id=form.cleaned_data["prospect"]
                )
            except CampaignSend.DoesNotExist as exc:
                form.add_error("prospect", str(exc))
            except TemplateError as exc:
                form.add_error(None, str(exc))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: {template.name}",
            "template": template,
            "form": form,
            "preview": preview,
        }
        return TemplateResponse(request, "admin/outreach/preview.html", context)

    def service_create(self, request, parent, data):
        return template_services.template_create(data=data, user=request.user)

    def service_update(self, request, obj, data):
        return template_services.template_update(template=obj, data=data, user=request.user)

    def service_delete(self, request, obj):
        template_services.template_delete(template=obj, user=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except template_services.TemplateInUse as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:outreach_campaigntemplate_change", args=[object_id]))

    def delete_queryset(self, request, queryset):
        try:
            super().delete_queryset(request, queryset)
        except template_services.TemplateInUse as exc:
            self.message_user(request, str(exc), messages.ERROR)


@admin.register(CustomVariable)
class CustomVariableAdmin(ServiceWritesAdmin, admin.ModelAdmin):
    list_display = ["key", "label", "default_value", "is_active"]
    search_fields = ["key", "label"]

    def service_create(self, request, parent, data):
        return template_services.custom_variable_save(variable=CustomVariable(**data), user=request.user)

    def service_update(self, request, obj, data):
        for name, value in data.items():
            setattr(obj, name, value)
        return template_services.custom_variable_save(variable=obj, user=request.user)

    def service_delete(self, request, obj):
        template_services.custom_variable_delete(variable=obj, user=request.user)


# --- sender accounts ----------------------------------------------------------------------------------------


WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class SenderAccountForm(forms.ModelForm):
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the current password."),
    )
    clear_password = forms.BooleanField(required=False, label=_("Remove the stored password"))
    window_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, required=False, label=_("Sending days")
    )

    class Meta:
        model = SenderAccount
        fields = [
            "name",
            "from_email",
            "from_name",
            "host",
            "port",
            "username",
            "password_env",
            "use_tls",
            "use_ssl",
            "timeout",
            "daily_limit",
            "hourly_limit",
            "priority",
            "is_active",
            "window_days",
            "window_start",
            "window_end",
            "time_zone",
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("use_tls") and data.get("use_ssl"):
            self.add_error("use_ssl", "Use STARTTLS or implicit TLS, not both.")
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and start >= end:
            self.add_error("window_end", "The window must end after it starts (same day).")
        return data

    def save(self, commit: bool = True) -> SenderAccount:
        account = super().save(commit=False)
        account.window_days = sorted(self.cleaned_data.get("window_days") or [])
        try:
            return account_save(
                account=account,
                password=self.cleaned_data.get("password") or None,
                clear_password=bool(self.cleaned_data.get("clear_password")),
            )
        except ValidationError as exc:  # cannot happen after clean(); kept for the record
            raise ValueError(str(exc)) from exc


@admin.register(SenderAccount)
class SenderAccountAdmin(admin.ModelAdmin):
    form = SenderAccountForm
    list_display = [
        "name",
        "from_email",
        "host",
        "port",
        "priority",
        "daily_limit",
        "hourly_limit",
        "secret",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "from_email", "host"]

    @admin.display(description=_("Password"))
    def secret(self, obj):
        if obj.password_env:
            return f"from ${obj.password_env}"
        return "••••••" if obj.password_encrypted else "—"

    def save_model(self, request, obj, form, change):
        form.instance = form.save()


# --- sends ----------------------------------------------------------------------------------------------------


@admin.register(CampaignSend)
class CampaignSendAdmin(ProspectScopedAdminMixin, admin.ModelAdmin):
    """Read-only: rows are written by the sending service only."""

    list_display = [
        "created_at",
        "template",
        "prospect",
        "recipient",
        "status",
        "skip_reason",
        "sent_at",
        "opened_at",
        "click_count",
        "bounce_type",
    ]
    list_filter = ["status", "skip_reason", "channel", "template", "bounce_type"]
    search_fields = ["recipient", "message_id", "rendered_subject", "prospect__business_name", "prospect__domain_name"]
    list_select_related = ["template", "prospect"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["send_again"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        download = path(
            "letters/<int:job_id>/",
            self.admin_site.admin_view(self.letters_download),
            name="outreach_letters_download",
        )
        return [download, *super().get_urls()]

    def letters_download(self, request: HttpRequest, job_id: int):
        """The PDF of a letters job (staff who may see sends)."""
        from django.core.files.storage import default_storage
        from django.http import FileResponse, Http404

        from prospecting.core.models import ScanJob

        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ScanJob, pk=job_id, params__letters=True)
        name = job.params.get("file")
        if not name or not default_storage.exists(name):
            raise Http404("The letters are not printed yet (or there was nothing to print).")
        return FileResponse(default_storage.open(name), as_attachment=True, filename=f"letters-{job_id}.pdf")

    def has_resend_permission(self, request):
        return request.user.has_perm("outreach.add_campaignsend")

    @admin.action(description=_("Send again (after checking it did not arrive)"), permissions=["resend"])
    def send_again(self, request, queryset):
        count = 0
        for send in queryset.filter(status__in=[CampaignSend.Status.REVIEW, CampaignSend.Status.FAILED]):
            send_retry(send=send, user=request.user)
            count += 1
        self.message_user(
            request, _("%(count)s message(s) queued again; others were not failed or under review.") % {"count": count}
        )


# --- sequences ------------------------------------------------------------------------------------------------


class SequenceStepInline(admin.TabularInline):
    model = SequenceStep
    extra = 1
    fields = ["position", "template", "delay_days"]


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "step_count", "active_enrolments", "created_at"]
    inlines = [SequenceStepInline]
    search_fields = ["name"]
    readonly_fields = ["statistics"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                step_total=Count("steps", distinct=True),
                active_total=Count(
                    "enrolments", filter=Q(enrolments__status=SequenceEnrolment.Status.ACTIVE), distinct=True
                ),
            )
        )

    @admin.display(description=_("Steps"), ordering="step_total")
    def step_count(self, obj):
        return obj.step_total

    @admin.display(description=_("Active enrolments"), ordering="active_total")
    def active_enrolments(self, obj):
        return obj.active_total

    @admin.display(description=_("Statistics"))
    def statistics(self, obj):
        if not obj.pk:
            return "—"
        from prospecting.outreach.selectors import send_stats

        return ", ".join(f"{name}: {value}" for name, value in send_stats(sequence_id=obj.pk).items())


@admin.register(SequenceStep)
class SequenceStepAdmin(admin.ModelAdmin):
    list_display = ["sequence", "position", "template", "delay_days"]
    list_filter = ["sequence"]
    list_select_related = ["sequence", "template"]


@admin.register(SequenceEnrolment)
class SequenceEnrolmentAdmin(ProspectScopedAdminMixin, admin.ModelAdmin):
    list_display = ["prospect", "sequence", "status", "exit_reason", "last_position", "next_send_at", "enrolled_at"]
    list_filter = ["status", "exit_reason", "sequence"]
    search_fields = ["prospect__business_name", "prospect__domain_name"]
    list_select_related = ["prospect", "sequence"]
    actions = ["stop"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Stop (leave the sequence)"), permissions=["change"])
    def stop(self, request, queryset):
        for enrolment in queryset.filter(status=SequenceEnrolment.Status.ACTIVE):
            enrolment_stop(enrolment=enrolment, user=request.user)
        self.message_user(request, _("Stopped."))


class EnrolForm(forms.Form):
    sequence = forms.ModelChoiceField(queryset=Sequence.objects.filter(is_active=True))


@admin.action(description=_("Enrol in a sequence…"), permissions=["send_campaign"])
def enrol_in_sequence(modeladmin, request, queryset):
    form = EnrolForm(request.POST if "sequence" in request.POST else None)
    if form.is_bound and form.is_valid():
        try:
            added = sequence_enrol(
                sequence=form.cleaned_data["sequence"],
                prospect_ids=list(queryset.values_list("pk", flat=True)),
                user=request.user,
            )
        except ValueError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            return None
        modeladmin.message_user(
            request, _("%(count)s enrolled (others were enrolled already).") % {"count": added}, messages.SUCCESS
        )
        return None
    return admin_actions.form_page(modeladmin, request, queryset, form, "Enrol in a sequence", "enrol_in_sequence")


# --- the leads list gets the outreach actions (the prospects list gets them in workspace/admin.py) ---------


OUTREACH_PROSPECT_ACTIONS = [
    admin_actions.send_campaign,
    enrol_in_sequence,
    admin_actions.print_letters,
    admin_actions.plan_calls,
]


class LeadAdmin(admin_actions.SendCampaignMixin, scoring_admin.LeadAdmin):
    actions = [*scoring_admin.LeadAdmin.actions, *OUTREACH_PROSPECT_ACTIONS]


admin.site.unregister(Lead)
admin.site.register(Lead, LeadAdmin)
