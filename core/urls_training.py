"""Pages of the shared training and exchange-visit records (in the core: namespace)."""

from django.urls import path

from . import views_training as views

urlpatterns = [
    # Before the page set: "trained-staff/" must not be read as a course id.
    path("training/trained-staff/", views.trained_staff, name="trained-staff"),
    *views.TrainingCoursePages().urls,  # training-course-list, -create, -detail, -edit
    path("training/<uuid:pk>/participants/", views.training_add_participant, name="training-participant-add"),
    *views.ExchangeVisitPages().urls,  # exchange-visit-list, -create, -detail, -edit
    path("exchange-visits/<uuid:pk>/members/", views.exchange_add_member, name="exchange-visit-member-add"),
]
