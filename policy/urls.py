from django.urls import path

from . import views
from .pages import AgreementPages, RoundPages

app_name = "policy"
urlpatterns = [
    path("", views.CalendarView.as_view(), name="calendar"),
    *AgreementPages().urls,  # agreement-list, -create, -detail, -edit under agreements/
    *RoundPages().urls,  # round-list
    path("rounds/<uuid:pk>/", views.RoundDetailView.as_view(), name="round-detail"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
]
