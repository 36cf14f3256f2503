from django.conf import settings
from django.urls import translate_url

from .access import principal_for
from .navigation import menu_sections


def portal(request):
    """Navigation, the language switcher and the current principal for every page."""
    languages = [
        {
            "code": code,
            "name": settings.LANGUAGE_SELF_NAMES.get(code, code),
            "url": translate_url(request.get_full_path(), code),
        }
        for code, _name in settings.LANGUAGES
    ]
    principal = principal_for(request)
    return {
        # Each role sees only the entries it may use (core.navigation.MenuItem predicates).
        "portal_menu": menu_sections(principal),
        "portal_languages": languages,
        "principal": principal,
        "portal_tile_url": settings.PORTAL_TILE_URL,
        "portal_tile_attribution": settings.PORTAL_TILE_ATTRIBUTION,
    }
