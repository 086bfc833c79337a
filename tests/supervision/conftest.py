from tests.dossiers.conftest import staff  # noqa: F401 (the fixture, for these tests too)
