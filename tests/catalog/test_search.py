"""Search returns the procedure people mean first: accent-free, accented and colloquial queries.

Runs on SQLite and on PostgreSQL (the suite runs twice), so equal results on both are checked too.
"""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.catalog.models import Procedure
from motcua.catalog.search import Filters
from motcua.catalog.selectors import filters_for_unit, procedure_search
from motcua.organizations.models import Unit

pytestmark = pytest.mark.django_db

# (what a person types, the procedure that must come first)
REAL_QUERIES = [
    ("dang ky khai sinh", "1.001193"),
    ("Đăng ký khai sinh", "1.001193"),
    ("ĐĂNG KÝ KHAI SINH", "1.001193"),
    ("khai sinh", "1.001193"),
    ("lam giay khai sinh", "1.001193"),
    ("thu tuc dang ky khai sinh nhu the nao", "1.001193"),
    ("khai sinh cho con", "1.001193"),
    ("đăng ký khai tử", "1.000656"),
    ("bao tu", "1.000656"),
    ("giấy chứng tử", "1.000656"),
    ("dang ky ket hon", "1.000894"),
    ("kết hôn", "1.000894"),
    ("xac nhan doc than", "1.004873"),
    ("giấy xác nhận tình trạng hôn nhân", "1.004873"),
    ("nhập hộ khẩu", "1.004222"),
    ("nhap khau", "1.004222"),
    ("hộ khẩu", "1.004222"),
    ("đăng ký thường trú", "1.004222"),
    ("thuong tru", "1.004222"),
    ("cắt khẩu", "1.003197"),
    ("xoa dang ky thuong tru", "1.003197"),
    ("tạm trú", "1.004194"),
    ("khai bao tam tru", "1.004194"),
    ("thủ tục tạm trú cần gì", "1.004194"),
    ("trich luc khai sinh", "2.000635"),
    ("bản sao giấy khai sinh", "2.000635"),
    ("sao y ban chinh", "2.000815"),
    ("công chứng giấy tờ", "2.000815"),
    ("chung thuc chu ky", "2.000884"),
    ("ban sao tu so goc", "2.000908"),
    ("giấy phép kinh doanh", "1.001612"),
    ("đăng ký hộ kinh doanh", "1.001612"),
    ("thanh lap doanh nghiep tu nhan", "2.001610"),
    ("làm sổ đỏ", "1.013978"),
    ("toi muon lam so do", "1.013978"),
    ("xin phép xây nhà", "1.013225"),
    ("giay phep xay dung nha o rieng le", "1.013225"),
    ("lý lịch tư pháp", "3.000333"),
    ("lam cccd", "1.014061"),
    ("thẻ căn cước dưới 14 tuổi", "1.014062"),
    ("bang lai xe", "3.000346"),
    ("cấp lại giấy phép lái xe", "3.000348"),
    ("tien mai tang", "1.001731"),
    ("thẻ bảo hiểm y tế", "1.014137"),
    ("lien thong khai sinh thuong tru bao hiem y te", "2.000986"),
    ("hoa giai tranh chap dat dai", "1.012812"),
    ("Hoà giải tranh chấp đất đai", "1.012812"),  # old tone placement
    ("dang ky lai khai sinh", "1.004884"),
    ("khai sinh có yếu tố nước ngoài", "2.000528"),
    ("nhan cha me con", "1.001022"),
    ("thay doi cai chinh ho tich", "1.000881"),
    ("dang ky giam ho", "1.004837"),
    ("1.004222", "1.004222"),
    ("1.001193.01", "1.001193"),  # a case code finds its procedure
]


@pytest.mark.parametrize(("query", "expected"), REAL_QUERIES, ids=[q for q, _ in REAL_QUERIES])
def test_the_right_procedure_comes_first(query: str, expected: str) -> None:
    page = procedure_search(query=query, filters=Filters(), page_size=3)
    assert page.items, f"no result for {query!r}"
    assert page.items[0].code == expected, [p.code for p in page.items]


def test_there_are_at_least_forty_real_queries() -> None:
    assert len(REAL_QUERIES) >= 40


def test_words_in_any_order_find_the_same_procedure() -> None:
    one = procedure_search(query="ket hon dang ky", filters=Filters(), page_size=1)
    assert one.items[0].code == "1.000894"


def test_nonsense_finds_nothing_rather_than_anything() -> None:
    assert procedure_search(query="xyzzy qwerty", filters=Filters()).total == 0


def test_an_empty_query_lists_common_procedures_first() -> None:
    page = procedure_search(query="", filters=Filters(), page_size=3)
    assert page.items[0].code == "1.001193"
    assert page.total > 2000


def test_pages_do_not_overlap() -> None:
    first = procedure_search(query="dang ky", filters=Filters(), page=1, page_size=10)
    second = procedure_search(query="dang ky", filters=Filters(), page=2, page_size=10)
    assert not {p.pk for p in first.items} & {p.pk for p in second.items}
    assert first.total == second.total


def test_level_and_online_filters() -> None:
    page = procedure_search(
        query="thuong tru", filters=Filters(level="commune", online="full"), page_size=50
    )
    assert page.items
    assert {p.level for p in page.items} == {"commune"}
    assert {p.online_level for p in page.items} == {"full"}


def test_unit_filter_for_a_ward_police_gives_police_procedures() -> None:
    police = Unit.objects.get(code="hn-cong-an-phuong-hoan-kiem")
    page = procedure_search(query="", filters=filters_for_unit(police), page_size=200)
    assert page.items
    assert {(p.level, p.commune_body) for p in page.items} == {("commune", "police")}
    assert "1.004222" in {p.code for p in page.items}


def test_unit_filter_for_a_department() -> None:
    justice = Unit.objects.get(code="hn-so-tu-phap")
    page = procedure_search(query="", filters=filters_for_unit(justice), page_size=500)
    assert page.items
    assert {p.deciding_unit.code for p in page.items if p.deciding_unit} == {"hn-so-tu-phap"}


def test_scope_all_reaches_procedures_outside_the_hanoi_set() -> None:
    hanoi = procedure_search(query="ho chieu ngoai giao", filters=Filters(), page_size=5)
    everything = procedure_search(
        query="ho chieu ngoai giao", filters=Filters(scope="all"), page_size=5
    )
    assert everything.total > hanoi.total
    assert all(p.in_hanoi_set for p in hanoi.items)


def test_applicant_filter() -> None:
    page = procedure_search(
        query="dang ky", filters=Filters(applicant="Doanh nghiệp"), page_size=50
    )
    assert page.items
    assert all(any(a.startswith("Doanh nghiệp") for a in p.applicant_types) for p in page.items)


# ---------------------------------------------------------------- issue 13: questions, slips
def codes(query: str, size: int = 5, filters: Filters | None = None) -> list[str]:
    page = procedure_search(query=query, filters=filters or Filters(), page_size=size)
    return [p.code for p in page.items]


def test_a_question_finds_its_procedure_though_not_every_word_matches() -> None:
    renting = codes("Ở nhà thuê thì có nhập khẩu được không?", 3)
    assert renting[0] in ("1.004222", "1.013314")  # registering, or its proof for a rented home
    assert "1.004222" in renting
    assert codes("Mở DNTN cần những gì?", 1) == ["2.001610"]
    assert codes("Hồ sơ xin giấy phép xây nhà gồm gì?", 1) == ["1.013225"]


def test_colloquial_land_certificate_finds_land_procedures_not_a_school() -> None:
    page = procedure_search(query="làm sổ đỏ", filters=Filters(), page_size=5)
    assert page.items[0].code in ("1.013978", "1.012753")
    assert {p.field.name for p in page.items if p.field} == {"Đất đai"}


def test_english_names_of_common_procedures() -> None:
    assert codes("birth registration", 1) == ["1.001193"]
    assert codes("death registration", 1) == ["1.000656"]


def test_a_slip_is_read_as_what_was_meant_and_said() -> None:
    page = procedure_search(query="thuong chu", filters=Filters(), page_size=3)
    assert page.items[0].code == "1.004222"
    assert page.suggestion == "thường trú"
    assert procedure_search(query="khai sinnh", filters=Filters()).suggestion == "khai sinh"


def test_nothing_is_suggested_when_nothing_was_corrected() -> None:
    assert procedure_search(query="dang ky khai sinh", filters=Filters()).suggestion == ""
    assert procedure_search(query="bếp ăn", filters=Filters()).suggestion == ""


def test_the_api_answers_with_the_suggestion_as_an_added_field() -> None:
    client = Client()
    slip = client.get("/api/v1/procedures", {"q": "dang ky thuong chu"}).json()
    assert slip["suggestion"] == "đăng ký thường trú"  # typed without accents: given them
    assert slip["items"][0]["code"] == "1.004222"
    plain = client.get("/api/v1/procedures", {"q": "dang ky thuong tru"}).json()
    assert plain["suggestion"] is None
    assert {"total", "page", "page_size", "pages", "items"} <= set(plain)


def test_the_catalog_page_says_did_you_mean() -> None:
    body = Client().get("/thu-tuc/", {"q": "thuong chu"}).content.decode()
    assert "Có phải bạn muốn tìm:" in body
    assert "q=th%C6%B0%E1%BB%9Dng%20tr%C3%BA" in body


def test_scope_all_adds_to_what_the_hanoi_set_finds() -> None:
    for query in ("ho chieu", "khai sinh", "Xin giấy phép lao động cho người nước ngoài"):
        hanoi = procedure_search(query=query, filters=Filters(), page_size=100)
        everything = procedure_search(query=query, filters=Filters(scope="all"), page_size=500)
        assert {p.pk for p in hanoi.items} <= {p.pk for p in everything.items}


def test_a_ward_counter_is_offered_what_names_the_ward_as_a_receiving_point() -> None:
    ward = Unit.objects.get(code="hn-phuong-hoan-kiem")
    filters = filters_for_unit(ward)
    assert "1.004222" not in codes("thuong tru", 8, filters)  # the ward police's procedure
    residence = Procedure.objects.get(code="1.004222", in_hanoi_set=True)
    residence.receiving_units.add(ward)
    assert codes("thuong tru", 8, filters)[0] == "1.004222"


@pytest.mark.parametrize(
    "query", ["😀", "???", "a " * 100, "đ" * 200, "1.0", "hộ  khẩu\t\n", "'; DROP"]
)
def test_odd_queries_are_answered_not_failed(query: str) -> None:
    assert Client().get("/api/v1/procedures", {"q": query}).status_code == 200


def test_the_index_keeps_each_repeated_value_once() -> None:
    """Every web worker holds the index: 5,670 records with a handful of distinct receiving-unit
    sets, applicant lists and codes hold one object each, in memory and once read from its file."""
    import pickle

    from motcua.catalog.search import INDEX

    read_back = pickle.loads(pickle.dumps(INDEX.get()))
    for attribute in ("receiving_unit_ids", "applicants", "level", "online_level", "kind"):
        values = [getattr(doc, attribute) for doc in read_back.docs]
        assert len({id(value) for value in values}) == len(set(values)), attribute
