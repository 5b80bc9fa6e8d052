from django.urls import path

from prospecting.outreach import api

urlpatterns = [
    path("campaigns/templates", api.TemplateListCreateView.as_view(), name="campaign-templates"),
    path("campaigns/templates/<int:pk>", api.TemplateDetailView.as_view(), name="campaign-template"),
    path("campaigns/preview", api.PreviewView.as_view(), name="campaign-preview"),
    path("campaigns/send", api.SendView.as_view(), name="campaign-send"),
    path("campaigns/sends", api.SendListView.as_view(), name="campaign-sends"),
    path("campaigns/bounces", api.BounceView.as_view(), name="campaign-bounces"),
]
