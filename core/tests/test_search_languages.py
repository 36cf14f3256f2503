"""Search finds Chinese by one character and Russian by any form of a word, on both back ends.

Runs on PostgreSQL (Russian full-text search) and on the SQLite default (light stems).
"""

import pytest

from core.access import Principal
from core.search import is_searchable, search
from core.translated import multilingual_q, russian_stem
from reserves.models import ProtectedArea

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


@pytest.fixture
def areas(cn_agency, ru_agency):
    leopard = ProtectedArea.objects.create(
        owner_agency=ru_agency,
        name_en="Land of the Leopard",
        name_ru="Земля леопарда",
        name_zh_hans="豹之乡国家公园",
        description_ru="Дальневосточный леопард и амурский тигр",
        country="RU",
        sensitivity="public",
    )
    tiger = ProtectedArea.objects.create(
        owner_agency=cn_agency,
        name_en="Northeast China Tiger and Leopard National Park",
        name_zh_hans="东北虎豹国家公园",
        name_ru="Национальный парк «Тигры и леопарды Северо-Востока Китая»",
        country="CN",
        sensitivity="public",
    )
    other = ProtectedArea.objects.create(
        owner_agency=cn_agency,
        name_en="Wetland reserve",
        name_zh_hans="湿地保护区",
        name_ru="Водно-болотный заповедник",
        country="CN",
        sensitivity="public",
    )
    return leopard, tiger, other


def found(term, principal):
    return {record for _target, records in search(principal, term) for record in records}


def superuser():
    return Principal(is_superuser=True, read_only=False)


@pytest.mark.parametrize(
    "term, expected",
    [
        ("豹", {"leopard", "tiger"}),
        ("虎", {"tiger"}),
        ("湿", {"other"}),
        ("东北虎豹", {"tiger"}),
    ],
)
def test_one_chinese_character_finds(areas, term, expected):
    leopard, tiger, other = areas
    names = {"leopard": leopard, "tiger": tiger, "other": other}
    assert found(term, superuser()) == {names[n] for n in expected}


@pytest.mark.parametrize("term", ["леопард", "леопарда", "леопардов", "Леопардами", "леопарды"])
def test_russian_word_forms_find(areas, term):
    leopard, tiger, _other = areas
    assert {leopard, tiger} <= found(term, superuser())


def test_word_forms_do_not_find_everything(areas):
    _leopard, _tiger, other = areas
    assert found("заповедников", superuser()) == {other}
    assert found("тигров", superuser()) == {areas[0], areas[1]}  # "тигр" in a description, "Тигры" in a name
    assert found("медведь", superuser()) == set()


def test_one_latin_letter_is_not_a_search_and_bad_input_is_harmless(areas):
    assert not is_searchable("a") and is_searchable("豹") and is_searchable("ab")
    assert found("a", superuser()) == set()
    assert found("\x00豹\x00", superuser()) == {areas[0], areas[1]}
    assert found("x" * 5000, superuser()) == set()


def test_search_still_obeys_the_access_policy(areas, cn_agency):
    leopard, _tiger, _other = areas
    ProtectedArea.objects.filter(pk=leopard.pk).update(sensitivity="owner_only")
    outsider = Principal(agency=cn_agency, role="agency_staff", read_only=False)
    assert leopard not in found("豹", outsider)


def test_list_filters_use_the_same_matching(areas):
    # core.translated.multilingual_q also backs the `q` filter of every list page and API list.
    leopard, tiger, other = areas
    for term in ("豹", "леопардов"):
        matched = set(ProtectedArea.objects.filter(multilingual_q(ProtectedArea, ("name", "description"), term)))
        assert matched == {leopard, tiger}
    exact = ProtectedArea.objects.filter(multilingual_q(ProtectedArea, ("name",), "Wetland reserve", lookup="iexact"))
    assert set(exact) == {other}


def test_list_page_q_filter_finds_russian_forms_and_one_character(client, areas, cn_staff):
    client.force_login(cn_staff)
    for term in ("豹", "леопардов"):
        body = client.get("/ru/reserves/", {"q": term}).content.decode()
        assert "Земля леопарда" in body and "Водно-болотный" not in body, term


def test_russian_stem():
    assert russian_stem("леопардов") == russian_stem("леопарда") == russian_stem("леопард") == "леопард"
    assert russian_stem("tigers") == "tigers"
    assert russian_stem("тигр") == "тигр"


def test_query_syntax_in_a_russian_term_is_plain_text(areas, client, cn_staff):
    # Full-text operators are words here, never query syntax (no 500, no "match everything").
    for term in ("леопард & | ! ' :* (", "!!", "леопард:*"):
        found(term, superuser())
    client.force_login(cn_staff)
    assert client.get("/ru/search/", {"q": "леопард & | ! ' :* ("}).status_code == 200
    assert client.get("/ru/reserves/", {"q": "(леопардов"}).status_code == 200
