"""Settings of the browser journeys' live servers: the application's own, less two costs that no
journey checks.

- Passwords are hashed with MD5, as in every other test (``fast_password_hashing`` in
  tests/conftest.py): PBKDF2's 1,000,000 rounds cost ~0.4 s per demo account (~18 s of the
  server's preparation) and per sign-in.
- Static files are collected with hashed names but not compressed: gzip and Brotli copies of
  every file cost ~7 s of CPU, and the browser is served the uncompressed files either way.
"""

from motcua.settings import *  # noqa: F403
from motcua.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if STORAGES["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage":
    STORAGES = {
        **STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
