"""Test settings: fast hashing, captured email, no lockout surprises between tests."""

from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
SECRET_KEY = "test-secret-key-not-for-production-use-0123456789abcdef"
