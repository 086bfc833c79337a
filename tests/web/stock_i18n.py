"""Django's ``i18n`` template library as Django ships it (``fast_i18n`` changes Django's own at
start-up): what ``test_fast_templates`` compares the site's rendering with."""

from django.template import Library
from django.templatetags import i18n

from motcua.web.fast_i18n import DJANGO_TAGS

register = Library()
register.tags.update(i18n.register.tags)
register.tags.update(DJANGO_TAGS)
register.filters.update(i18n.register.filters)
