from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TandemConfig(AppConfig):
    name = "tandem"
    verbose_name = _("Tandems")
