"""Reserved for a later issue; see core/models/__init__.py."""
