"""modeltranslation registrations of the shared layer, one module per model group."""

from . import agencies, exchanges, notifications, training  # noqa: F401
