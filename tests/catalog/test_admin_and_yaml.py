"""Administrators edit the catalog: YAML export/import of a procedure, synonyms, admin pages."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.catalog.search import Filters
from motcua.catalog.selectors import procedure_search
from motcua.catalog.services import procedure_export_yaml, procedure_import_yaml, synonym_save
from motcua.common.errors import DomainError

pytestmark = pytest.mark.django_db


def admin_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("qt", "qt@example.com", "x-Mat-khau-9"))
    return client


def test_yaml_round_trip_changes_nothing_but_the_version() -> None:
    procedure = Procedure.objects.get(code="1.004222")
    text = procedure_export_yaml(procedure)
    updated = procedure_import_yaml(text)
    assert updated.version == procedure.version + 1
    assert procedure_export_yaml(updated) == text


def test_an_edited_yaml_updates_fees_and_documents() -> None:
    document = yaml.safe_load(procedure_export_yaml(Procedure.objects.get(code="1.004194")))
    document["channels"][0]["fees"][0]["amount_vnd"] = 12345
    document["groups"][0]["items"].append(
        {"name": "Giấy tờ mới", "originals": 1, "copies": 0, "component_code": "", "has_eform": False,
         "replaceable_by_registry": False, "is_result": False}
    )  # fmt: skip
    procedure = procedure_import_yaml(yaml.safe_dump(document, allow_unicode=True))
    assert procedure.channels.first().fees.first().amount_vnd == 12345
    assert procedure.requirement_groups.first().items.filter(name="Giấy tờ mới").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not: [valid", "YAML không hợp lệ"),
        ("- a list", "một mapping"),
        ("code: 1.004222\nsurprise: 1", "Trường không biết"),
    ],
)
def test_a_bad_yaml_is_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(DomainError) as caught:
        procedure_import_yaml(text)
    assert message in str(caught.value.message)


def test_admin_import_page_reports_errors_without_crashing() -> None:
    client = admin_client()
    upload = SimpleUploadedFile("p.yaml", b"\xff\xfe not utf8", content_type="application/yaml")
    response = client.post(
        "/quan-tri/catalog/procedure/import-yaml/", {"file": upload}, follow=True
    )
    assert response.status_code == 200


def test_a_new_synonym_changes_search_at_once() -> None:
    before = procedure_search(query="giay phep xe om", filters=Filters(), page_size=1)
    synonym_save(phrase="giấy phép xe ôm", expansion="cấp giấy phép lái xe")
    after = procedure_search(query="giay phep xe om", filters=Filters(), page_size=1)
    assert after.items[0].code == "3.000346"
    assert not before.items or before.items[0].code != "3.000346"


@pytest.mark.parametrize(
    "url",
    ["/quan-tri/catalog/procedure/", "/quan-tri/catalog/procedure/?in_hanoi_set__exact=1&q=khai+sinh",
     "/quan-tri/catalog/synonym/", "/quan-tri/catalog/processdefinition/", "/quan-tri/catalog/procedure/import-yaml/",
     "/quan-tri/worktime/calendaroverride/", "/quan-tri/worktime/workruleset/add/"],
)  # fmt: skip
def test_admin_pages_open(url: str) -> None:
    assert admin_client().get(url).status_code == 200


def test_admin_procedure_change_page_opens() -> None:
    procedure = Procedure.objects.get(code="1.004222")
    assert (
        admin_client().get(f"/quan-tri/catalog/procedure/{procedure.pk}/change/").status_code == 200
    )
