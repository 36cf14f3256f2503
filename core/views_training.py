"""Owned by a later issue; see the module that imports it."""
