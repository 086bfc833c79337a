from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from pytest_django.plugin import blocking_manager_key

from motcua.catalog.importer import catalog_import
from motcua.catalog.processes import default_processes_ensure
from motcua.catalog.search import INDEX
from motcua.catalog.services import popularity_seed, synonyms_seed
from motcua.organizations.services import unit_tree_load


def load_reference_data() -> None:
    """Hà Nội's unit tree and the 5,670 national procedure records, as `make run` loads them."""
    unit_tree_load(path=settings.MOTCUA_UNITS_FILE)
    folder = settings.MOTCUA_PROCEDURES_DIR
    catalog_import(catalog=folder / "catalog.jsonl", details=folder / "details.jsonl")
    synonyms_seed()
    popularity_seed()
    default_processes_ensure()
    INDEX.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Every test database starts with the real reference data, loaded once per session."""
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """A transactional test empties every table when it ends: put the reference data back."""
    result = yield
    marker = item.get_closest_marker("django_db")
    # After the session's last test the test database is already gone: nothing to restore.
    if nextitem is not None and marker is not None and marker.kwargs.get("transaction"):
        with item.config.stash[blocking_manager_key].unblock():
            load_reference_data()
    return result


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def plain_static_files(settings: Any) -> None:
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def vietnamese_by_default(settings: Any) -> None:
    settings.LANGUAGE_CODE = "vi"
