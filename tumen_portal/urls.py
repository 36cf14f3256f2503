from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(("tumen_portal.api", "api"), namespace="api")),
    path("i18n/", include("django.conf.urls.i18n")),
]

# Browser pages carry the language in the URL: /zh-hans/, /en/, /ru/.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("core.auth_urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("reserves/", include("reserves.urls")),
    path("antipoaching/", include("antipoaching.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("policy/", include("policy.urls")),
    path("outreach/", include("outreach.urls")),
    path("corridors/", include("corridors.urls")),
    path("", include("core.urls")),
    prefix_default_language=True,
)

# No route serves MEDIA_ROOT, not even under DEBUG: uploaded files leave the portal only through
# core.views_documents, which checks the reader may see the record.

# Translated error pages that keep the header and say why (core.views_errors).
handler403 = "core.views_errors.permission_denied"
handler404 = "core.views_errors.page_not_found"
handler500 = "core.views_errors.server_error"
