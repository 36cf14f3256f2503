import uuid

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
