"""Owned by a later issue: API views and a router named `router`."""
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
