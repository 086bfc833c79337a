"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

application = get_wsgi_application()

from motcua.common.heap import settle  # noqa: E402 (Django is set up above)

settle()
