"""Pages of the reminder machinery: the user's notifications and the calendar of dated obligations."""

import datetime
from itertools import groupby

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core import notify, reminders
from core.api.notifications import NotificationFilterSet, ObligationFilterSet
from core.models import Notification, NotificationDelivery, ObligationStatus
from core.views_base import PortalListView


class NotificationListView(PortalListView):
    model = Notification
    filterset_class = NotificationFilterSet
    template_name = "core/notifications/notification_list.html"

    def base_queryset(self):
        return Notification.objects.filter(recipient=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread"] = reminders.unread_count(self.request.user)
        context["preference"] = notify.preference_for(self.request.user)
        for note in context["object_list"]:
            note.event_label = notify.event_label(note.event)
        return context


class PreferenceForm(forms.Form):
    email_delivery = forms.ChoiceField(
        label=gettext_lazy("Email me"),
        choices=NotificationDelivery.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "invalid_choice": gettext_lazy("Choose one of the options: at once, once a day, or never."),
            "required": gettext_lazy("Choose how you want to receive email."),
        },
        help_text=gettext_lazy(
            "Every notification also shows in the portal under the bell. Urgent alerts are always "
            "emailed at once when your account has an email address."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """The logged-in user's choice of immediate email, a daily digest, or no email."""
    preference = notify.preference_for(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                notify.set_email_delivery(request.user, form.cleaned_data["email_delivery"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your notification settings were saved."))
                return HttpResponseRedirect(reverse("core:notification-preferences"))
    else:
        form = PreferenceForm(initial={"email_delivery": preference.email_delivery})
    context = {"form": form, "preference": preference, "email": request.user.email}
    return render(request, "core/notifications/preferences.html", context)


def _back(request, default):
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


@login_required
@require_POST
def mark_read(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    reminders.mark_read(request.user, [notification.pk])
    if request.POST.get("open") and notification.url:
        return HttpResponseRedirect(notification.url)
    return _back(request, reverse("core:notification-list"))


@login_required
@require_POST
def mark_all_read(request):
    reminders.mark_read(request.user)
    return _back(request, reverse("core:notification-list"))


class ObligationListView(PortalListView):
    """Upcoming and overdue obligations of every kind, month by month (the secretariat sees all)."""

    filterset_class = ObligationFilterSet
    template_name = "core/notifications/obligation_list.html"
    paginate_by = 200

    def base_queryset(self):
        queryset = reminders.obligations_visible_to(self.principal).select_related("agency")
        if "status" not in self.request.GET:
            queryset = queryset.filter(status=ObligationStatus.OPEN)
        return queryset.order_by("due_at", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        items = list(context["object_list"])
        context["now"] = now
        context["overdue"] = [o for o in items if o.is_overdue(now)]
        upcoming = [o for o in items if not o.is_overdue(now)]
        context["months"] = [
            (datetime.date(year, month, 1), list(group))
            for (year, month), group in groupby(upcoming, key=lambda o: (o.due_date.year, o.due_date.month))
        ]
        return context
