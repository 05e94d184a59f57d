from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KernelConfig(AppConfig):
    """The project's kernel: start page, health, privacy registry, navigation, web helpers.

    It imports no app of the project; the apps register what it needs in their own ``ready()``.
    """

    name = "tandem"
    label = "kernel"
    verbose_name = _("Tandem")

    def ready(self) -> None:
        from . import privacy

        privacy.register(
            "kernel.Submission",
            purpose=_("Making sure a form that creates something creates it once, however often it is sent"),
            retention=privacy.WHILE_MEMBER,
            subject=("user",),
            fields=("id", "content_type_id", "object_id", "created_at"),
        )
