"""Portal-wide search. Apps register the models a user can find; results obey the access policy."""

import re
from dataclasses import dataclass

from core.translated import multilingual_q


@dataclass
class SearchTarget:
    model: object
    fields: tuple
    label: object
    url_name: str  # reversed with the record's pk


_targets: list[SearchTarget] = []


def register_search(model, fields, label, url_name):
    if not any(t.model is model for t in _targets):
        _targets.append(SearchTarget(model, tuple(fields), label, url_name))


# Chinese, Japanese and Korean characters: one of them is already a word (豹, 虎).
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]")
MIN_TERM_LENGTH = 2
MAX_TERM_LENGTH = 200


def is_searchable(term):
    """A term long enough to mean something: two letters, or one CJK character; not a whole page."""
    if not term or len(term) > MAX_TERM_LENGTH:
        return False
    return len(term) >= MIN_TERM_LENGTH or bool(_CJK.search(term))


def search(principal, term, limit=20):
    """[(target, [records…]), …] for records whose text in any language matches `term`."""
    # Control characters (a NUL byte breaks PostgreSQL's text) are never part of a word.
    term = "".join(ch for ch in term if ch.isprintable()).strip()
    if not is_searchable(term):
        return []
    results = []
    for target in _targets:
        manager = target.model.objects
        queryset = manager.visible_to(principal) if hasattr(manager, "visible_to") else manager.all()
        # distinct(): a match through a to-many relation (e.g. aliases) must not list a record twice.
        found = list(queryset.filter(multilingual_q(target.model, target.fields, term)).distinct()[:limit])
        if found:
            results.append((target, found))
    return results
