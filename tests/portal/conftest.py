from tests.dossiers.conftest import staff

__all__ = ["staff"]
