import hashlib
import ipaddress
import uuid
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from .access import principal_for
from .audit import reset_actor, reset_request_id, set_actor, set_request_id


class RequestIdMiddleware:
    """Give every request an id (or keep a valid X-Request-ID) and echo it in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        try:
            request_id = uuid.UUID(incoming)
        except ValueError:
            request_id = uuid.uuid4()
        request.request_id = request_id
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = str(request_id)
        return response


class AuditContextMiddleware:
    """Make the session user the audit actor. API-key requests are set by the authenticator."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_actor(_LazyPrincipal(request))
        try:
            return self.get_response(request)
        finally:
            reset_actor(token)


class _LazyPrincipal:
    """Resolves the principal only when an audit entry is actually written."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(principal_for(self._request), name)


# --- Client address behind the TLS proxy ----------------------------------------------------------


def client_ip(request):
    """The address of the client, as the trusted reverse proxies saw it.

    With PORTAL_TRUSTED_PROXY_COUNT = n > 0, each of the n proxies in front of the portal appends
    the address it received the request from to X-Forwarded-For, so the n-th entry from the
    right is the client; anything left of it was written by the client and is not trusted. With
    0 (no proxy), REMOTE_ADDR is the client. django-axes uses this too (AXES_CLIENT_IP_CALLABLE).
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    count = getattr(settings, "PORTAL_TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            candidate = forwarded[-count]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass  # a proxy that writes garbage: fall back to the connection's address
    return remote


# --- Attempt counting (rate limits) --------------------------------------------------------------


class AttemptCounter:
    """Counts attempts per identity in a fixed window, in Django's cache (Redis in production).

    `scope` names a rate in settings.PORTAL_RATE_LIMITS: {scope: (limit, window_seconds)}.
    Identities (an email address, a client address) are hashed, so the cache holds no address.
    """

    def __init__(self, scope):
        self.scope = scope
        self.limit, self.window = settings.PORTAL_RATE_LIMITS[scope]

    def _key(self, identity):
        digest = hashlib.sha256(str(identity).strip().lower().encode()).hexdigest()[:32]
        return f"portal:attempts:{self.scope}:{digest}"

    def count(self, identity):
        return cache.get(self._key(identity), 0)

    def exceeded(self, identity):
        """True once `limit` attempts were counted in the current window."""
        return self.count(identity) >= self.limit

    def hit(self, identity):
        """Count one attempt and return the number counted in the window so far."""
        key = self._key(identity)
        if cache.add(key, 1, timeout=self.window):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # the window expired between add and incr
            cache.set(key, 1, timeout=self.window)
            return 1

    def reset(self, identity):
        cache.delete(self._key(identity))


# --- Request limits -------------------------------------------------------------------------------


class RequestLimitsMiddleware:
    """Refuse, with a 400 and a translated message, what no view can handle safely.

    - a body larger than PORTAL_MAX_REQUEST_MB (before anything reads it);
    - a query string that is not UTF-8 or holds a NUL byte (PostgreSQL cannot store or compare
      NUL, and a replaced invalid byte would silently change what was asked for).
    Placed after LocaleMiddleware so that the message is in the request's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._problem(request)
        if problem is not None:
            return self._refuse(request, *problem)
        return self.get_response(request)

    @staticmethod
    def _problem(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit_mb = settings.PORTAL_MAX_REQUEST_MB
        if length > limit_mb * 1024 * 1024:
            return "request_too_large", _("The request is larger than %(mb)s MB.") % {"mb": limit_mb}
        raw = request.META.get("QUERY_STRING", "")
        if raw:
            data = unquote_to_bytes(raw.replace("+", " ").encode("latin-1", "replace"))
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                return "invalid_query", _("The query string is not valid UTF-8.")
            if "\x00" in text:
                return "invalid_query", _("The query string contains a NUL character.")
        return None

    @staticmethod
    def _refuse(request, code, message):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(message), "code": code}, status=400)
        return HttpResponseBadRequest(str(message), content_type="text/plain; charset=utf-8")
