"""Public pages linked from messages (no login): see `public_views.py`."""

from django.urls import path

from prospecting.outreach import public_views

app_name = "outreach-public"

urlpatterns = [
    path("u/<str:token>/", public_views.unsubscribe_view, name="unsubscribe"),
    path("o/<str:token>.gif", public_views.open_view, name="open"),
    path("c/<str:token>/", public_views.click_view, name="click"),
]
