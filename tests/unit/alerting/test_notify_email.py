"""E-mail pages: subject, bilingual body, recipients, and secret-free errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from noc.alerting.model import Notification
from noc.alerting.notify import NotifyError
from noc.alerting.notify_email import EmailNotifier, email_body, email_subject
from noc.alerting.notify_settings import EmailSettings
from tests.helpers import free_tcp_port

T0 = datetime(2024, 5, 1, 7, 0, 0, tzinfo=UTC).timestamp()


def _n(**kw: Any) -> Notification:
    base: dict[str, Any] = {
        "incident": "3f2a9c", "status": "firing",
        "labels": {"alertname": "link_down", "severity": "critical", "device": "q7-core"},
        "annotations": {"summary": "Quận 7 isolated: uplink q7-uplink down",
                        "summary_vi": "Quận 7 mất kết nối: đường lên q7-uplink hỏng",
                        "affected_agencies": "UBND Quận 7, Phường Tân Phong",
                        "contacts": "Nguyễn Văn A 0901234567 (Q7)", "note": "rack B"},
        "starts_at": T0}
    return Notification(**(base | kw))


def _settings(**kw: Any) -> EmailSettings:
    return EmailSettings(**({"host": "127.0.0.1", "sender": "noc@example.org",
                             "recipients": ["oncall@example.org"]} | kw))


def test_subject_has_status_severity_and_diacritics() -> None:
    assert email_subject(_n()) == "[FIRING critical] Quận 7 isolated: uplink q7-uplink down"
    assert email_subject(_n(status="resolved")).startswith("[RESOLVED critical] Quận 7")
    assert email_subject(_n(level=2, repeat=True)).startswith("[FIRING critical, repeat 2] ")
    multi = _n(annotations={"summary": "a\nb"})
    assert email_subject(multi) == "[FIRING critical] a b"


def test_body_is_vietnamese_then_english_with_annotations_and_link() -> None:
    body = email_body(_n(status="resolved", ends_at=T0 + 3600), "https://noc.example.org/")
    vi, en = body.split("-- English --")
    assert "Trạng thái: ĐÃ KHẮC PHỤC" in vi and "Status: RESOLVED" in en
    assert "Tóm tắt: Quận 7 mất kết nối: đường lên q7-uplink hỏng" in vi
    assert "Summary: Quận 7 isolated: uplink q7-uplink down" in en
    assert "Cơ quan bị ảnh hưởng: UBND Quận 7, Phường Tân Phong" in vi
    assert "Affected agencies: UBND Quận 7, Phường Tân Phong" in en
    assert "Liên hệ: Nguyễn Văn A 0901234567 (Q7)" in vi and "Contacts: Nguyễn" in en
    assert "Sự cố: 3f2a9c" in vi and "Incident: 3f2a9c" in en
    assert "Bắt đầu: 2024-05-01 14:00:00 (UTC+7; 07:00 UTC)" in vi
    assert "Ended: 2024-05-01 15:00:00" in en
    assert "Thiết bị: q7-core" in vi and "note: rack B" in en
    assert "Details: https://noc.example.org/alerts" in en


def test_message_recipients_default_and_override() -> None:
    notifier = EmailNotifier(_settings())
    default = notifier.message(_n())
    routed = notifier.message(_n(recipients=("a@example.org", "b@example.org")))
    assert default is not None and routed is not None
    assert default["To"] == "oncall@example.org"
    assert routed["To"] == "a@example.org, b@example.org"
    assert str(default["Subject"]).startswith("[FIRING critical] Quận 7")
    assert default["X-NOC-Incident"] == "3f2a9c"
    assert EmailNotifier(_settings(recipients=[])).message(_n()) is None


async def test_unreachable_relay_error_names_it_without_the_password() -> None:
    port = free_tcp_port()
    notifier = EmailNotifier(_settings(port=port, username="noc", password="SMTP-PW-42",
                                       timeout=2))
    with pytest.raises(NotifyError) as caught:
        await notifier.send([_n()])
    message = str(caught.value)
    assert f"SMTP 127.0.0.1:{port}" in message and caught.value.delivered == 0
    assert "SMTP-PW-42" not in message + repr(notifier) + repr(notifier.settings)
