"""Error pages in the user's language that say why (handler403/404/500 and the CSRF failure view).

403 and 404 keep the portal's header and menu (they extend base.html). 500 renders a standalone
template with no request context: the database or the user lookup may be what failed.
"""

import logging

from django.http import HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.utils.functional import Promise
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _reason(exception):
    """The message a view gave PermissionDenied, if it gave a human one."""
    if exception is None:
        return ""
    args = getattr(exception, "args", ())
    message = args[0] if args else ""
    return str(message) if isinstance(message, (str, Promise)) else ""


def permission_denied(request, exception=None, template_name="403.html"):
    reason = _reason(exception) or _("Your account does not have the right to open this page or do this.")
    html = loader.render_to_string(template_name, {"reason": reason, "status": 403}, request)
    return HttpResponseForbidden(html)


def page_not_found(request, exception=None, template_name="404.html"):
    # Http404's own message is a developer's text ("No Patrol matches the given query"); the
    # user gets one translated sentence, the same whether the record is missing or not visible.
    html = loader.render_to_string(template_name, {"request_path": request.path, "status": 404}, request)
    return HttpResponseNotFound(html)


def server_error(request, template_name="500.html"):
    html = loader.get_template(template_name).render({})
    return HttpResponseServerError(html)


def csrf_failure(request, reason="", template_name="403_csrf.html"):
    logger.warning("CSRF failure on %s: %s", request.path, reason)
    try:
        html = loader.render_to_string(template_name, {"status": 403}, request)
    except Exception:  # a CSRF failure page must never turn into a 500
        logger.exception("CSRF failure page could not be rendered")
        html = loader.get_template("500.html").render({})
    return HttpResponseForbidden(html)
