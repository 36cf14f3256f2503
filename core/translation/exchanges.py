"""Translations for core/models/exchanges.py (filled in by its issue)."""
