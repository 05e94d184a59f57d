from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KernelConfig(AppConfig):
    """The project's kernel: start page, health, privacy registry, navigation, web helpers.

    It imports no app of the project; the apps register what it needs in their own ``ready()``.
    """

    name = "tandem"
    label = "kernel"
    verbose_name = _("Tandem")
