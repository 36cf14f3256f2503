"""Translations for core/models/notifications.py (filled in by its issue)."""
