"""Translations for core/models/training.py (filled in by its issue)."""
