"""The e-mail notifier against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from noc.alerting.model import Notification
from noc.alerting.notify import Dispatcher, NotifyError
from noc.alerting.notify_email import EmailNotifier
from noc.alerting.notify_settings import EmailSettings, RetrySettings
from tests.helpers import free_tcp_port

pytestmark = pytest.mark.integration

PASSWORD = "Mật-khẩu-SMTP-9"


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage


class Inbox:
    """An aiosmtpd handler that keeps every message."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.logins: list[tuple[str, bool]] = []

    async def handle_DATA(self, server: SMTP, session: Session,  # noqa: N802 - aiosmtpd API
                          envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.mails.append(Mail(str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope,
                     mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        ok = auth_data.login == b"noc" and auth_data.password == PASSWORD.encode()
        self.logins.append((auth_data.login.decode(), ok))
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself


@contextmanager
def _smtp(inbox: Inbox, **kw: Any) -> Iterator[tuple[Controller, int]]:
    port = free_tcp_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kw)
    controller.start()
    try:
        yield controller, port
    finally:
        controller.stop()


def _notification(**kw: Any) -> Notification:
    base: dict[str, Any] = {
        "incident": "7e1d2c3b4a5f6e7d", "status": "firing",
        "labels": {"alertname": "link_down", "severity": "critical", "device": "q7-core"},
        "annotations": {"summary": "Quận 7 isolated: uplink q7-uplink down",
                        "summary_vi": "Quận 7 mất kết nối",
                        "affected_agencies": "UBND Quận 7, Phường Tân Phong",
                        "contacts": "Trần Thị Bích 0901234567 (Q7)"},
        "starts_at": time.time() - 60}
    return Notification(**(base | kw))


def _settings(port: int, **kw: Any) -> EmailSettings:
    return EmailSettings(**({"host": "127.0.0.1", "port": port, "sender": "noc@metronet.vn",
                             "recipients": ["oncall@metronet.vn", "noc@metronet.vn"],
                             "timeout": 5} | kw))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (Debian's openssl)."""
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


async def test_pages_arrive_with_diacritics_and_the_right_recipients() -> None:
    inbox = Inbox()
    with _smtp(inbox) as (_, port):
        notifier = EmailNotifier(_settings(port), "https://noc.metronet.vn")
        dispatcher = Dispatcher([notifier], RetrySettings(first_delay=0.1))
        dispatcher.submit(_notification())
        dispatcher.submit(_notification(status="resolved", ends_at=time.time(),
                                        recipients=("truc@metronet.vn",)))
        await dispatcher.start()
        for _ in range(200):  # at most ~10 s
            if dispatcher.health()[0].sent >= 2:
                break
            await asyncio.sleep(0.05)
        health = dispatcher.health()[0]
        await dispatcher.stop()
    assert health.ok and health.sent == 2, health
    first, second = inbox.mails
    assert first.recipients == ["oncall@metronet.vn", "noc@metronet.vn"]
    assert second.recipients == ["truc@metronet.vn"]
    assert first.sender == "noc@metronet.vn"
    assert first.message["Subject"] == "[FIRING critical] Quận 7 isolated: uplink q7-uplink down"
    assert second.message["Subject"].startswith("[RESOLVED critical] Quận 7")
    body = first.message.get_content()
    assert "Trạng thái: ĐANG CẢNH BÁO" in body and "Status: FIRING" in body
    assert "Cơ quan bị ảnh hưởng: UBND Quận 7, Phường Tân Phong" in body
    assert "Liên hệ: Trần Thị Bích 0901234567 (Q7)" in body
    assert "Incident: 7e1d2c3b4a5f6e7d" in body
    assert "https://noc.metronet.vn/alerts" in body
    assert body.index("Trạng thái") < body.index("Status")


async def test_starttls_and_login(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    inbox = Inbox()
    with _smtp(inbox, tls_context=server_tls, require_starttls=True,
               authenticator=inbox.authenticate, auth_required=True) as (_, port):
        notifier = EmailNotifier(_settings(port, security="starttls", username="noc",
                                           password=PASSWORD), ssl_context=client_tls)
        await notifier.send([_notification()])
    assert inbox.logins == [("noc", True)]
    assert len(inbox.mails) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_refused_login_is_an_error_without_the_password() -> None:
    inbox = Inbox()
    with _smtp(inbox, authenticator=inbox.authenticate, auth_required=True,
               auth_require_tls=False) as (_, port):
        notifier = EmailNotifier(_settings(port, username="noc", password="wrong-" + PASSWORD))
        with pytest.raises(NotifyError) as caught:
            await notifier.send([_notification()])
    message = str(caught.value)
    assert "login as 'noc' refused (SMTP 535)" in message, message
    assert PASSWORD not in message and caught.value.delivered == 0
    assert inbox.mails == [] and inbox.logins == [("noc", False)]
