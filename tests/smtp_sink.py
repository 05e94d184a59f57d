"""A real SMTP server for tests, on a port of the test's choosing: before it starts, the port is closed
(connections are refused, as with an SMTP server that is down); once started it accepts every message.

Just enough of RFC 5321 for Python's smtplib (which Django's SMTP backend uses): no TLS, no auth.
"""

from __future__ import annotations

import contextlib
import email
import socket
import socketserver
import threading
from collections.abc import Iterator
from email.message import Message


def closed_port() -> int:
    """A port nothing listens on (the kernel handed it out and it was closed again)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Session(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._reply("220 tandem-test-sink ESMTP")
        while raw := self.rfile.readline():
            command = raw.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._reply("250 tandem-test-sink")
            elif command == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                self.server.messages.append(email.message_from_bytes(b"".join(lines)))  # type: ignore[attr-defined]
                self._reply("250 OK queued")
            elif command == "QUIT":
                self._reply("221 Bye")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self._reply("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Session)
        self.messages: list[Message] = []


@contextlib.contextmanager
def smtp_sink(port: int) -> Iterator[list[Message]]:
    """Serve SMTP on ``port`` until the block ends; yields the list of received messages."""
    server = _Server(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.messages
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def text_of(message: Message) -> str:
    """The plain-text part of a received message, decoded."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")
