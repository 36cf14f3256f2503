from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.CalendarView.as_view(), name="calendar"),
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path("agreements/new/", views.AgreementCreateView.as_view(), name="agreement-create"),
    path("agreements/<uuid:pk>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path("agreements/<uuid:pk>/edit/", views.AgreementUpdateView.as_view(), name="agreement-edit"),
    path("rounds/", views.RoundListView.as_view(), name="round-list"),
    path("rounds/<uuid:pk>/", views.RoundDetailView.as_view(), name="round-detail"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
]
