"""Pages of an agency's API keys, at the root of the "core:" namespace.

Keys are named by their prefix in URLs: the primary key embeds the hash.
"""

from django.urls import path

from . import views_apikeys as views

urlpatterns = [
    path("api-keys/", views.key_list, name="apikey-list"),
    path("api-keys/new/", views.key_create, name="apikey-create"),
    path("api-keys/<str:prefix>/revoke/", views.key_revoke, name="apikey-revoke"),
]
