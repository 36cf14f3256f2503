"""Pages where an agency's coordinators issue, list and revoke its API keys (rules: core.apikeys)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import apikeys
from core.access import principal_for
from core.forms_apikeys import ApiKeyForm, RevokeForm
from core.models import AgencyAPIKey


def _manager(request):
    principal = principal_for(request)
    if not apikeys.may_manage_any(principal):
        raise PermissionDenied(_("Only an agency's coordinators may manage its API keys."))
    return principal


@login_required
def key_list(request):
    principal = _manager(request)
    keys = list(apikeys.keys_for(principal))
    now = timezone.now()
    for key in keys:
        key.expired = bool(key.expiry_date and key.expiry_date < now)
        key.expires_on = apikeys.expiry_day(key)
    context = {
        "keys": keys,
        "show_agency": principal.is_superuser,
        "agency": None if principal.is_superuser else principal.agency,
    }
    return render(request, "core/apikeys/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def key_create(request):
    principal = _manager(request)
    agencies = apikeys.manageable_agencies(principal).order_by("code")
    form = ApiKeyForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key, secret = apikeys.issue_key(
                data["agency"],
                data["name"],
                read_only=data["read_only"],
                expiry_date=data["expires"],
                principal=principal,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("expires" if field == "expiry_date" else field, errors)
        else:
            key.expires_on = apikeys.expiry_day(key)
            # The secret is rendered into this one response and never stored: no redirect, no cache.
            response = render(request, "core/apikeys/issued.html", {"key": key, "secret": secret})
            add_never_cache_headers(response)
            return response
    return render(request, "core/apikeys/form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def key_revoke(request, prefix):
    principal = _manager(request)
    key = get_object_or_404(AgencyAPIKey.objects.select_related("agency"), prefix=prefix)
    if not apikeys.may_manage_keys(principal, key.agency):
        raise PermissionDenied(_("Only the coordinators of this agency may manage its API keys."))
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        apikeys.revoke_key(key, principal=principal)
        messages.success(request, _("The key %(prefix)s was revoked.") % {"prefix": key.prefix})
        return HttpResponseRedirect(reverse("core:apikey-list"))
    return render(request, "core/apikeys/revoke.html", {"key": key, "form": form})
