"""Placeholder: filled by the shared-layer work."""

urlpatterns = []
