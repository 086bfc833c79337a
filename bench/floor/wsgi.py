"""WSGI entry of the floor app: ``gunicorn floor.wsgi:application`` with ``bench/`` on the path."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "floor.settings")
application = get_wsgi_application()
