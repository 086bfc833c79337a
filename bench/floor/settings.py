"""Settings of the floor app: the minimum Django needs, and the database Một Cửa uses."""

from __future__ import annotations

import os

import dj_database_url

SECRET_KEY = "floor-bench-only"  # the floor is never served outside the bench
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "floor.urls"
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = False

# The same database, with the same connection settings as Một Cửa's settings.py on PostgreSQL.
DATABASES = {
    "default": {
        **dj_database_url.parse(os.environ["MOTCUA_DATABASE_URL"]),
        "CONN_MAX_AGE": int(os.environ.get("MOTCUA_DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    }
}
