"""Login, logout and password reset by email (console backend in the demo)."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils.translation import gettext as _

from core.middleware import AttemptCounter, client_ip


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view with two limits (settings.PORTAL_RATE_LIMITS):

    - per email address: beyond the limit no more mail goes out, and the answer is the same
      "mail sent" page, so that neither the limit nor the answer tells whether an account exists
      (addresses are counted whether they belong to an account or not);
    - per client: beyond the limit the form answers 429 with a message (it stops a sweep over
      many addresses from one client; it says nothing about any one address).
    """

    def form_valid(self, form):
        client = client_ip(self.request)
        per_client = AttemptCounter("password_reset_client")
        if per_client.exceeded(client):
            form.add_error(None, _("Too many password reset requests from your network. Try again in an hour."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        per_client.hit(client)
        per_address = AttemptCounter("password_reset_email")
        if per_address.hit(form.cleaned_data["email"]) > per_address.limit:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", RateLimitedPasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password-change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password-change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
