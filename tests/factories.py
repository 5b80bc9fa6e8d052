"""factory_boy factories for every model, used by tests and benchmarks."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from prospecting.core.models import ActivityLog, ScanJob, Suppression, UsageCounter, UserQuota
from prospecting.core.suppression import suppression_hash
from prospecting.discovery.models import DiscoverySource, ProviderUsage, RawRecord
from prospecting.enrichment.models import PerformanceProfile, TechProfile
from prospecting.interactions.models import CalendarFeed, FollowUp, Interaction
from prospecting.outreach.models import (
    CampaignSend,
    CampaignTemplate,
    CustomVariable,
    SenderAccount,
    Sequence,
    SequenceEnrolment,
    SequenceStep,
)
from prospecting.privacy.models import PrivacyRequest
from prospecting.prospects.models import Conversion, ImportBatch, ImportRow, Prospect, ProspectContact
from prospecting.scoring.models import Lead, ProspectScore


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct horse battery staple")


class StaffUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ProspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prospect

    channel = Prospect.Channel.DIGITAL
    business_name = factory.Sequence(lambda n: f"Boulangerie {n}")
    domain_name = factory.Sequence(lambda n: f"boulangerie-{n}.lu")
    status = Prospect.Status.PENDING
    city = "Luxembourg"
    postal_code = "L-1118"
    country = "LU"


class OfflineProspectFactory(ProspectFactory):
    channel = Prospect.Channel.OFFLINE
    domain_name = None
    source = "networking_event"


class ProspectContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProspectContact

    prospect = factory.SubFactory(ProspectFactory)
    contact_type = ProspectContact.ContactType.EMAIL
    value = factory.Sequence(lambda n: f"info{n}@example.lu")


class TechProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechProfile

    prospect = factory.SubFactory(ProspectFactory)
    cms = "WordPress"
    cms_version = "6.4.1"
    server = "nginx"
    scanned_at = factory.LazyFunction(timezone.now)


class PerformanceProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PerformanceProfile

    prospect = factory.SubFactory(ProspectFactory)
    performance_score = 42
    accessibility_score = 70
    seo_score = 80
    best_practices_score = 75
    largest_contentful_paint_ms = 5200
    is_mobile_friendly = False
    provider = "builtin"
    scanned_at = factory.LazyFunction(timezone.now)


class ProspectScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProspectScore

    prospect = factory.SubFactory(ProspectFactory)
    score = 64
    technical_health_score = 30
    modernity_score = 14
    business_value_score = 15
    engagement_score = 5
    lead_tier = ProspectScore.LeadTier.QUICK_WIN
    rules_version = "test"
    computed_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Like the scoring service, also write the prospect's copy of its score and tier."""
        row = super()._create(model_class, *args, **kwargs)
        Prospect.objects.filter(pk=row.prospect_id).update(lead_score=row.score, lead_tier=row.lead_tier)
        row.prospect.lead_score, row.prospect.lead_tier = row.score, row.lead_tier
        return row


class LeadFactory(ProspectFactory):
    """A prospect with a score (what the Leads list shows)."""

    class Meta:
        model = Lead
        skip_postgeneration_save = True

    score = factory.RelatedFactory(ProspectScoreFactory, factory_related_name="prospect")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    prospect = factory.SubFactory(ProspectFactory)
    interaction_type = Interaction.InteractionType.CALL
    subject = "Follow-up call"
    outcome = Interaction.Outcome.POSITIVE
    next_action = "Send proposal"
    next_action_date = factory.LazyFunction(lambda: timezone.now().date())
    created_by = factory.SubFactory(StaffUserFactory, username="interaction-author")


class FollowUpFactory(InteractionFactory):
    class Meta:
        model = FollowUp

    follow_up_owner = factory.SubFactory(StaffUserFactory, username="staff")


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    user = factory.SubFactory(StaffUserFactory)
    token = factory.Sequence(lambda n: f"feed-token-{n:040d}")


class UserQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserQuota

    user = factory.SubFactory(StaffUserFactory)
    scans_per_month = 500
    emails_per_month = 1000


class UsageCounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageCounter

    user = factory.SubFactory(StaffUserFactory)
    kind = UsageCounter.Kind.SCANS
    period = factory.Sequence(lambda n: datetime.date(2000 + n // 12, n % 12 + 1, 1))
    used = 12


class ScanJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScanJob

    job_type = ScanJob.JobType.HTTP_CHECK
    total_items = 10
    processed_items = 4
    created_by = factory.SubFactory(StaffUserFactory, username="job-owner")


class ActivityLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityLog

    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Prospect))
    object_id = factory.Sequence(str)
    action = "created"
    actor = factory.SubFactory(StaffUserFactory, username="activity-actor")


class CampaignTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignTemplate

    name = factory.Sequence(lambda n: f"No website outreach {n}")
    lead_type = "no_website"
    subject_template = "Votre présence en ligne"
    body_template = "Bonjour {{ business_name }}"


class CampaignSendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignSend

    template = factory.SubFactory(CampaignTemplateFactory)
    prospect = factory.SubFactory(ProspectFactory)
    channel = CampaignTemplate.Channel.EMAIL
    recipient = factory.Sequence(lambda n: f"info{n}@example.lu")
    sent_by = factory.SubFactory(StaffUserFactory, username="campaign-sender")


class ConversionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversion

    prospect = factory.SubFactory(ProspectFactory, status=Prospect.Status.CONVERTED, source="domain_scan")
    plan = "business"
    mrr = 49
    converted_at = factory.LazyFunction(lambda: timezone.localdate())
    attributed_source = "domain_scan"
    days_to_convert = 12


class CustomVariableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomVariable

    key = factory.Sequence(lambda n: f"offer{n}")
    label = "Offer"
    default_value = "un audit gratuit"


class SenderAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SenderAccount

    name = factory.Sequence(lambda n: f"Mailbox {n}")
    from_email = factory.Sequence(lambda n: f"sales{n}@agence.lu")
    from_name = "Agence Web"
    host = "127.0.0.1"
    port = 2525
    use_tls = False
    window_days = [0, 1, 2, 3, 4, 5, 6]
    window_start = datetime.time(0, 0)
    window_end = datetime.time(23, 59, 59)


class SuppressionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suppression

    kind = Suppression.Kind.EMAIL
    value = factory.Sequence(lambda n: f"stop{n}@example.lu")
    value_hash = factory.LazyAttribute(lambda o: suppression_hash(o.kind, o.value))
    reason = Suppression.Reason.UNSUBSCRIBED


class PrivacyRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivacyRequest

    kind = PrivacyRequest.Kind.ERASURE
    counts = factory.LazyFunction(lambda: {"rows": {"prospects.ProspectContact": 2}, "suppressed": 1})
    reference = factory.Sequence(lambda n: f"ticket {n}")
    created_by = factory.SubFactory(UserFactory)


class SequenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sequence

    name = factory.Sequence(lambda n: f"No website follow-ups {n}")


class SequenceStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SequenceStep

    sequence = factory.SubFactory(SequenceFactory)
    position = factory.Sequence(lambda n: n + 1)
    template = factory.SubFactory(CampaignTemplateFactory)
    delay_days = 3


class SequenceEnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SequenceEnrolment

    sequence = factory.SubFactory(SequenceFactory)
    prospect = factory.SubFactory(ProspectFactory)


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    name = factory.Sequence(lambda n: f"domains-{n}.csv")
    uploaded_by = factory.SubFactory(StaffUserFactory, username="importer")


class ImportRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRow

    batch = factory.SubFactory(ImportBatchFactory)
    line_number = factory.Sequence(lambda n: n + 2)
    raw_payload = factory.LazyAttribute(lambda row: {"domain": f"site{row.line_number}.lu"})
    data_hash = factory.Sequence(lambda n: f"{n:064x}")
    prospect = factory.SubFactory(ProspectFactory)
    outcome = ImportRow.Outcome.CREATED


class DiscoverySourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscoverySource
        django_get_or_create = ["slug"]

    name = "OpenStreetMap"
    slug = "osm"
    kind = DiscoverySource.Kind.OSM


class RawRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RawRecord

    source = factory.SubFactory(DiscoverySourceFactory)
    external_id = factory.Sequence(lambda n: f"node/{n}")
    data_hash = factory.Sequence(lambda n: f"{n:064x}")
    name = factory.Sequence(lambda n: f"Boulangerie {n}")
    fields = factory.LazyAttribute(lambda record: {"name": record.name, "postal_code": "L-9530"})
    payload = factory.LazyAttribute(lambda record: {"tags": {"name": record.name}})


class ProviderUsageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderUsage

    source = factory.SubFactory(DiscoverySourceFactory)
    month = factory.Sequence(lambda n: datetime.date(2000 + n // 12, n % 12 + 1, 1))
    calls = 12


FACTORY_BY_MODEL = {
    DiscoverySource: DiscoverySourceFactory,
    RawRecord: RawRecordFactory,
    ProviderUsage: ProviderUsageFactory,
    Prospect: ProspectFactory,
    Conversion: ConversionFactory,
    ProspectContact: ProspectContactFactory,
    TechProfile: TechProfileFactory,
    PerformanceProfile: PerformanceProfileFactory,
    ProspectScore: ProspectScoreFactory,
    Lead: LeadFactory,
    Interaction: InteractionFactory,
    FollowUp: FollowUpFactory,
    CalendarFeed: CalendarFeedFactory,
    UserQuota: UserQuotaFactory,
    UsageCounter: UsageCounterFactory,
    ScanJob: ScanJobFactory,
    ActivityLog: ActivityLogFactory,
    CampaignTemplate: CampaignTemplateFactory,
    CampaignSend: CampaignSendFactory,
    CustomVariable: CustomVariableFactory,
    SenderAccount: SenderAccountFactory,
    Suppression: SuppressionFactory,
    PrivacyRequest: PrivacyRequestFactory,
    Sequence: SequenceFactory,
    SequenceStep: SequenceStepFactory,
    SequenceEnrolment: SequenceEnrolmentFactory,
    ImportBatch: ImportBatchFactory,
    ImportRow: ImportRowFactory,
}
