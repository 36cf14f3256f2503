import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.access import Principal
from core.middleware import AttemptCounter, client_ip
from core.models import AgencyAPIKey


class AgencyKeyUser:
    """Stands in for request.user when a partner system calls with an agency key."""

    is_authenticated = True
    is_anonymous = False
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    def __init__(self, key):
        self.key = key
        self.username = f"api-key:{key.prefix}"

    def __str__(self):
        return str(self.key)


class AgencyAPIKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`: a hashed, expiring, revocable key of one agency."""

    keyword = "Api-Key"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(self.keyword + " "):
            return None
        raw_key = header[len(self.keyword) + 1 :].strip()
        if not raw_key:
            raise exceptions.AuthenticationFailed(_("The API key is missing."))
        try:
            key = AgencyAPIKey.objects.get_from_key(raw_key)
        except AgencyAPIKey.DoesNotExist:
            self._count_failure(request)
            raise exceptions.AuthenticationFailed(_("The API key is not valid.")) from None
        if key.revoked:
            raise exceptions.AuthenticationFailed(_("The API key has been revoked."))
        if key.has_expired:
            raise exceptions.AuthenticationFailed(_("The API key has expired."))
        if not key.agency.is_active:
            raise exceptions.AuthenticationFailed(_("The agency of this API key is inactive."))
        now = timezone.now()
        # Stamp the last use at most once a minute: a busy sync should not write on every call.
        if key.last_used_at is None or now - key.last_used_at > datetime.timedelta(minutes=1):
            AgencyAPIKey.objects.filter(pk=key.pk).update(last_used_at=now)
        # The audit middleware resolves its actor from this cached principal.
        request._request._portal_principal = Principal.for_api_key(key)
        return AgencyKeyUser(key), key

    @staticmethod
    def _count_failure(request):
        """Invalid keys from one client beyond the limit are a 429 until the window ends.

        Only invalid keys are refused: a valid key from the same address (a partner's sync behind
        a shared NAT) keeps working, and a guess cannot succeed anyway (keys are long and random);
        the limit stops floods of guesses and tells a misconfigured client to stop.
        """
        counter = AttemptCounter("api_key_failures")
        if counter.hit(client_ip(request._request)) > counter.limit:
            raise exceptions.Throttled(
                wait=counter.window, detail=str(_("Too many invalid API keys from your address. Try again later."))
            )

    def authenticate_header(self, request):
        return self.keyword


class AgencyAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.AgencyAPIKeyAuthentication"
    name = "AgencyApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Send `Authorization: Api-Key <key>`; keys are issued per agency.",
        }
