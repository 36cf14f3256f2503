"""Placeholder: filled by the shared-layer work."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
