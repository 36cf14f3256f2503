"""Portal-wide search. Apps register the models a user can find; results obey the access policy."""

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


def search(principal, term, limit=20):
    """[(target, [records…]), …] for records whose text in any language matches `term`."""
    term = term.strip()
    if len(term) < 2:
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
