"""Pages of the shared training and exchange-visit records (in the core: namespace)."""

from django.urls import path

from . import views_training as views

urlpatterns = [
    path("training/", views.TrainingCourseListView.as_view(), name="training-course-list"),
    path("training/new/", views.TrainingCourseCreateView.as_view(), name="training-course-create"),
    path("training/trained-staff/", views.trained_staff, name="trained-staff"),
    path("training/<uuid:pk>/", views.TrainingCourseDetailView.as_view(), name="training-course-detail"),
    path("training/<uuid:pk>/edit/", views.TrainingCourseUpdateView.as_view(), name="training-course-edit"),
    path("training/<uuid:pk>/participants/", views.training_add_participant, name="training-participant-add"),
    path("exchange-visits/", views.ExchangeVisitListView.as_view(), name="exchange-visit-list"),
    path("exchange-visits/new/", views.ExchangeVisitCreateView.as_view(), name="exchange-visit-create"),
    path("exchange-visits/<uuid:pk>/", views.ExchangeVisitDetailView.as_view(), name="exchange-visit-detail"),
    path("exchange-visits/<uuid:pk>/edit/", views.ExchangeVisitUpdateView.as_view(), name="exchange-visit-edit"),
    path("exchange-visits/<uuid:pk>/members/", views.exchange_add_member, name="exchange-visit-member-add"),
]
