"""Shared vocabularies and the crosswalks that map an agency's local codes into them."""

from collections import defaultdict

from django.utils.translation import gettext as _

from ..models import (
    Crosswalk,
    shared_keys,
)


class CodeMapper:
    """Applies an agency's crosswalks: a local code becomes the shared key; unknown codes are errors."""

    def __init__(self, agency):
        self.agency = agency
        self.crosswalk = defaultdict(dict)
        for vocabulary, local, shared in Crosswalk.objects.filter(agency=agency).values_list(
            "vocabulary", "local_code", "shared_key"
        ):
            self.crosswalk[vocabulary][local] = shared
        self.keys = {}

    def known(self, vocabulary):
        if vocabulary not in self.keys:
            self.keys[vocabulary] = shared_keys(vocabulary)
        return self.keys[vocabulary]

    def map(self, vocabulary, value):
        """The shared key for `value`, or raise ValueError naming the unknown code."""
        if value in ("", None):
            return value
        mapped = self.crosswalk[vocabulary].get(value)
        if mapped is not None:
            return mapped
        if value in self.known(vocabulary):
            return value
        raise ValueError(
            _(
                "unknown code “%(code)s” in vocabulary %(vocabulary)s: it is no shared key and %(agency)s has no crosswalk for it"
            )
            % {"code": value, "vocabulary": vocabulary, "agency": self.agency.code}
        )
