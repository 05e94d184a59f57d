"""Django's SMTP backend, telling the sender whether a failed send may still have been delivered.

Once the message body and its final ``.`` are on the wire, the server may have accepted it even if
its reply never arrives (the connection drops, the reply times out). The sender must not treat that
like a refused connection: retrying at once would deliver one copy per retry. The connection below
marks that moment, so the sender can tell "certainly not delivered" from "outcome unknown".
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.core.mail.backends.smtp import EmailBackend as DjangoEmailBackend


class _Tracking:
    """Mixin for smtplib.SMTP: ``body_sent`` is True from the end of DATA until the next message."""

    body_sent = False

    def mail(self, *args: Any, **kwargs: Any) -> Any:
        self.body_sent = False  # a new message begins
        return super().mail(*args, **kwargs)  # type: ignore[misc]

    def data(self, msg: Any) -> Any:
        # smtplib.SMTP.data, with one line added: the moment the body has been handed over.
        self.putcmd("data")  # type: ignore[attr-defined]
        code, repl = self.getreply()  # type: ignore[attr-defined]
        if code != 354:
            raise smtplib.SMTPDataError(code, repl)
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")  # type: ignore[attr-defined]
        quoted = smtplib._quote_periods(msg)  # type: ignore[attr-defined]
        if quoted[-2:] != smtplib.bCRLF:  # type: ignore[attr-defined]
            quoted = quoted + smtplib.bCRLF  # type: ignore[attr-defined]
        quoted = quoted + b"." + smtplib.bCRLF  # type: ignore[attr-defined]
        self.body_sent = True
        self.send(quoted)  # type: ignore[attr-defined]
        return self.getreply()  # type: ignore[attr-defined]


class TrackingSMTP(_Tracking, smtplib.SMTP):
    pass


class TrackingSMTPSSL(_Tracking, smtplib.SMTP_SSL):
    pass


class EmailBackend(DjangoEmailBackend):
    """Use as EMAIL_BACKEND = "tandem.notifications.smtp.EmailBackend" (the production default)."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:  # type: ignore[override]
        return TrackingSMTPSSL if self.use_ssl else TrackingSMTP

    def outcome_unknown(self) -> bool:
        """After a failed send: had the server already received the whole message?"""
        return bool(getattr(self.connection, "body_sent", False))
