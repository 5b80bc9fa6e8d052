from django.urls import path

from prospecting.interactions.api import (
    CalendarFeedResetView,
    CalendarFeedView,
    FollowUpDoneView,
    FollowUpSnoozeView,
    InteractionDetailView,
    ProspectInteractionsView,
    UpcomingFollowUpsView,
)

urlpatterns = [
    path("prospects/<int:pk>/interactions", ProspectInteractionsView.as_view(), name="prospect-interactions"),
    path("interactions/upcoming", UpcomingFollowUpsView.as_view(), name="interactions-upcoming"),
    path("interactions/<int:pk>", InteractionDetailView.as_view(), name="interaction-detail"),
    path("interactions/<int:pk>/done", FollowUpDoneView.as_view(), name="interaction-done"),
    path("interactions/<int:pk>/snooze", FollowUpSnoozeView.as_view(), name="interaction-snooze"),
    path("calendar-feed", CalendarFeedView.as_view(), name="calendar-feed-mine"),
    path("calendar-feed/reset", CalendarFeedResetView.as_view(), name="calendar-feed-reset"),
]
