from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from pytest_django.plugin import blocking_manager_key

from motcua.catalog.importer import catalog_import
from motcua.catalog.processes import default_processes_ensure
from motcua.catalog.search import INDEX
from motcua.catalog.services import popularity_seed, synonyms_retire_seeded
from motcua.dossiers import steps as dossier_steps
from motcua.organizations.services import unit_tree_load
from motcua.worktime import services as worktime_services
from tests.reference_template import ReferenceTemplate, shared_template, xdist_session_folder
from tests.s3_server import S3Server, s3_server_start


def load_reference_data() -> None:
    """Hà Nội's unit tree and the 5,670 national procedure records, as `make run` loads them."""
    unit_tree_load(path=settings.MOTCUA_UNITS_FILE)
    folder = settings.MOTCUA_PROCEDURES_DIR
    catalog_import(catalog=folder / "catalog.jsonl", details=folder / "details.jsonl")
    synonyms_retire_seeded()
    popularity_seed()
    default_processes_ensure()
    INDEX.clear()


class Snapshot:
    """A copy of every non-empty table, taken once after the load.

    Reloading costs ~10 s; copying the rows back costs well under one. The copy lives in the
    ``snap`` schema on PostgreSQL and in an attached file on SQLite (the test database is in
    memory, and only one connection sees an attached database), so the same SQL serves both.
    """

    def __init__(self, folder: Path) -> None:
        self.file = folder / "snapshot.sqlite3"
        self.tables: list[str] = []

    def attach(self, cursor: CursorWrapper) -> None:
        if connection.vendor == "sqlite":
            cursor.execute("ATTACH DATABASE %s AS snap", [str(self.file)])

    def detach(self, cursor: CursorWrapper) -> None:
        if connection.vendor == "sqlite":
            cursor.execute("DETACH DATABASE snap")

    def take(self) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                self.file.unlink(missing_ok=True)
            else:
                cursor.execute("DROP SCHEMA IF EXISTS snap CASCADE")
                cursor.execute("CREATE SCHEMA snap")
            self.attach(cursor)
            # The tables a flush empties; django_migrations is not one of them.
            for table in connection.introspection.django_table_names(
                only_existing=True, include_views=False
            ):
                cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
                if cursor.fetchone():
                    cursor.execute(
                        f"CREATE TABLE snap.{quote(table)} AS SELECT * FROM {quote(table)}"
                    )
                    self.tables.append(table)
            self.detach(cursor)

    def adopt(self) -> None:
        """The copy came from another worker (tests/reference_template.py): list its tables, in
        the ``snap`` schema that came with the PostgreSQL template or in the builder's file."""
        with connection.cursor() as cursor:
            self.attach(cursor)
            try:
                if connection.vendor == "sqlite":
                    cursor.execute("SELECT name FROM snap.sqlite_master WHERE type = 'table'")
                else:
                    cursor.execute(
                        "SELECT table_name FROM information_schema.tables"
                        " WHERE table_schema = 'snap'"
                    )
                self.tables = sorted(row[0] for row in cursor.fetchall())
            finally:
                self.detach(cursor)

    def restore(self) -> None:
        quote = connection.ops.quote_name
        models = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
        with connection.cursor() as cursor:
            self.attach(cursor)
            try:
                # Django declares foreign keys DEFERRABLE INITIALLY DEFERRED on both databases, so
                # in one transaction the order of the tables does not matter. The DELETE drops
                # the content types and permissions that the flush's post_migrate recreated
                # under new ids.
                with transaction.atomic():
                    for table in self.tables:
                        cursor.execute(f"DELETE FROM {quote(table)}")
                        cursor.execute(
                            f"INSERT INTO {quote(table)} SELECT * FROM snap.{quote(table)}"
                        )
                    # PostgreSQL only (SQLite's AUTOINCREMENT follows the largest id by itself);
                    # needed if a test flushes with reset_sequences=True.
                    restored = [models[table] for table in self.tables]
                    for sql in connection.ops.sequence_reset_sql(no_style(), restored):
                        cursor.execute(sql)
            finally:
                self.detach(cursor)
        # Caches filled during the test or by post_migrate may hold ids that no longer exist.
        ContentType.objects.clear_cache()
        INDEX.clear()
        worktime_services.CACHE.clear()
        worktime_services._IN_FORCE.clear()
        dossier_steps.steps_cache_clear()


SNAPSHOT = pytest.StashKey[Snapshot]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("MOTCUA_DATABASE_URL", "").startswith("postgres"):
        items[:] = database_tests_only(config, items)


# The browser journeys share one live server, so they run in one process; their group is the
# longest (a live server's preparation and ~60 browser tests), so it starts first.
BROWSER_GROUP = "e2e"


def work_group(nodeid: str) -> str:
    """The unit of work of one test process: a test module, or every browser journey."""
    path = nodeid.split("::", 1)[0]
    return BROWSER_GROUP if path.startswith("tests/e2e/") else path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``-n`` and ``--dist loadgroup`` (``make test``), a module's tests stay on one worker,
    so a module's generated volume is built once, and the browser journeys stay on one worker, so
    the live server is prepared once.

    xdist groups by an ``@group`` suffix it writes into ``item._nodeid``, which pytest 9 no longer
    reads (the node id lives in ``item._id``): with ``xdist_group`` marks the tests were spread one
    by one over the workers, and each paid every module fixture and a live server. The
    scheduler's own hook groups by node id instead."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_group(nodeid)

        def _assign_work_unit(self, node: Any) -> None:
            if BROWSER_GROUP in self.workqueue:
                self.workqueue.move_to_end(BROWSER_GROUP, last=False)
            super()._assign_work_unit(node)

    return ModuleScheduling(config, log)


# Fixtures through which a test reaches the database (``fixturenames`` is their closure, so a
# module fixture that unblocks the database counts too).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup"}


def database_tests_only(config: pytest.Config, items: list[pytest.Item]) -> list[pytest.Item]:
    """The PostgreSQL pass runs the tests that touch a database: the others (deadline rules,
    text folding, settings, PDF layout…) do the same work whatever the database, and the SQLite
    pass of ``make test`` has just run them."""
    kept, dropped = [], []
    for item in items:
        uses = item.get_closest_marker("django_db") or item.get_closest_marker("postgres")
        uses = uses or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        (kept if uses else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    return kept


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked ``s3`` runs twice: with files in the local folder, then in the S3 server."""
    if metafunc.definition.get_closest_marker("s3"):
        metafunc.parametrize("media_storage", ["filesystem", "s3"], indirect=True)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server (tests/s3_server.py), started the first time a test asks for it."""
    server = s3_server_start()
    yield server
    server.stop()


# What the code writes through the storage API; none of it may land in the local folder on S3.
STORED_FOLDERS = ("dossiers", "drafts", "issued", "tracking-books")


@pytest.fixture(autouse=True)
def media_storage(
    request: pytest.FixtureRequest, settings: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Where files go: a media folder per test (created only if a test writes; never the
    developer's var/); for the ``s3`` run of a test marked ``s3``, a new bucket of the S3
    server, configured as settings.py configures it from MOTCUA_S3_*."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media" / uuid.uuid4().hex
    backend = getattr(request, "param", "filesystem")
    if backend == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        settings.STORAGES = {**settings.STORAGES, "default": server.storage(server.bucket_create())}
    yield backend
    if backend == "s3":
        local = [n for n in STORED_FOLDERS if (Path(settings.MEDIA_ROOT) / n).exists()]
        assert not local, f"written to the local media folder despite S3: {local}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    tmp_path_factory: pytest.TempPathFactory,
    django_db_blocker: Any,
) -> Iterator[ReferenceTemplate | None]:
    """pytest-django's hook before the test databases are created (the fixture it depends on
    adds the xdist suffix): under xdist, start from the reference database another worker has
    built (tests/reference_template.py)."""
    template = shared_template(xdist_session_folder(tmp_path_factory.getbasetemp()))
    yield template
    if template is not None:
        template.release()
        with django_db_blocker.unblock():
            template.drop()


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_db_setup: Any,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    django_db_modify_db_settings: ReferenceTemplate | None,
) -> None:
    """Every test database starts with the real reference data, loaded once per session (with
    xdist: by the first worker, then copied by the others)."""
    template = django_db_modify_db_settings
    with django_db_blocker.unblock():
        snapshot = Snapshot(tmp_path_factory.mktemp("reference-data"))
        if template is not None and template.from_template:
            template.adopt(snapshot)
            snapshot.adopt()
        else:
            load_reference_data()
            snapshot.take()
            if template is not None:
                template.publish(snapshot)
    request.config.stash[SNAPSHOT] = snapshot


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """A transactional test empties every table when it ends: put the reference data back."""
    result = yield
    marker = item.get_closest_marker("django_db")
    snapshot = item.config.stash.get(SNAPSHOT, None)
    # After the session's last test the test database is already gone; and there is no snapshot
    # when no test has set up the database yet (a transactional test skipped by a marker).
    if nextitem is None or snapshot is None:
        return result
    transactional = marker is not None and marker.kwargs.get("transaction")
    # A fixture may ask for ``transactional_db`` itself (the multi-process test does), no marker.
    if transactional or "transactional_db" in getattr(item, "fixturenames", ()):
        with item.config.stash[blocking_manager_key].unblock():
            snapshot.restore()
    return result


@pytest.fixture(scope="session", autouse=True)
def signing_test_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Issued forms are signed with a local test CA, made once per session outside var/
    (docs/decisions/0010-signed-documents.md)."""
    folder = tmp_path_factory.mktemp("signing")
    settings.MOTCUA_SIGNING_DIR = folder
    settings.MOTCUA_SIGNING_BACKEND = "test-ca"
    return folder


@pytest.fixture(scope="session", autouse=True)
def search_index_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built search indexes are kept per test process, outside var/: after the reference data
    is put back, the index of its catalog state is read back instead of rebuilt."""
    folder = tmp_path_factory.mktemp("search-index")
    settings.MOTCUA_SEARCH_INDEX_DIR = str(folder)
    # Not queued after every catalog change a test makes: tests that count the queue's tasks
    # count their own (tests/catalog/test_search_tasks.py turns it on).
    settings.MOTCUA_SEARCH_INDEX_AFTER_CHANGE = False
    return folder


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with an empty cache: the API's rate limit counts there (decision 0035),
    and one test's requests must not spend another's budget."""
    cache.clear()
    from motcua.sync.selectors import sync_recorded_forget

    sync_recorded_forget()  # whether the outbox ever held a row: each test's database anew
    from motcua.dossiers import count_cache

    count_cache.KEPT.clear()  # worklist counts of another test's officers and units


@pytest.fixture(autouse=True)
def plain_static_files(settings: Any) -> None:
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def audit_folders(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Audit keys for the session, and a roots folder per test (created only if a test publishes):
    the developer's own var/ is never read, and no test sees another's roots."""
    base = tmp_path_factory.getbasetemp() / "audit"
    settings.MOTCUA_AUDIT_KEY_DIR = base / "keys"
    settings.MOTCUA_AUDIT_ROOTS_DIR = base / "roots" / uuid.uuid4().hex


@pytest.fixture(autouse=True)
def vietnamese_by_default(settings: Any) -> None:
    settings.LANGUAGE_CODE = "vi"


@pytest.fixture(autouse=True)
def fresh_process_steps() -> None:
    """Process steps are cached by id (versions never change in production); a rolled-back test
    may hand its ids to the next test's new processes, so each test starts with an empty cache."""
    dossier_steps.steps_cache_clear()
