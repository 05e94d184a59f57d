from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: people join Tandem only through an invitation (accounts.services.invite)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> Any:
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """While a membership requires a second factor, the last authenticator app stays."""
        from .rules import second_factor_required

        if authenticator.type == Authenticator.Type.TOTP and second_factor_required(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
