"""E-mail pages over SMTP (stdlib :mod:`smtplib` in a worker thread).

One message per notification, all in one SMTP session per batch. The
subject reads ``[FIRING critical] Quận 7 isolated: ...`` (UTF-8, encoded
per RFC 2047 so diacritics survive); the plain-text body says everything
in Vietnamese, then in English: status, severity, times (Vietnam time,
UTC+7), incident id, the annotations (summary, affected agencies and
devices, contacts...) and a link to ``<external_url>/alerts`` when known.
Recipients are the notification's (on-call routing) or the configured
default list. ``security`` selects plain SMTP, STARTTLS or implicit TLS;
``username`` enables AUTH. The password never appears in errors or logs.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from noc.alerting.model import Notification
from noc.alerting.notify import NotifyError, redact
from noc.alerting.notify_settings import EmailSettings

log = logging.getLogger(__name__)

VIETNAM = timezone(timedelta(hours=7), "ICT")

# annotation key -> (Vietnamese, English) heading; listed in this order, others after.
# "summary_vi" is the Vietnamese title: it replaces "summary" in the Vietnamese part.
_HEADINGS = {
    "summary": ("Tóm tắt", "Summary"),
    "description": ("Mô tả", "Description"),
    "affected_agencies": ("Cơ quan bị ảnh hưởng", "Affected agencies"),
    "affected_devices": ("Số thiết bị bị ảnh hưởng", "Affected devices"),
    "related_alerts": ("Số cảnh báo liên quan", "Related alerts"),
    "contacts": ("Liên hệ", "Contacts"),
    "runbook": ("Hướng dẫn xử lý", "Runbook"),
}
_HIDDEN = ("title", "summary_vi")
_STATUS = {"firing": ("ĐANG CẢNH BÁO", "FIRING"), "resolved": ("ĐÃ KHẮC PHỤC", "RESOLVED")}


def _when(at: float | None) -> str:
    if at is None:
        return "-"
    local = datetime.fromtimestamp(at, VIETNAM).strftime("%Y-%m-%d %H:%M:%S")
    utc = datetime.fromtimestamp(at, UTC).strftime("%H:%M UTC")
    return f"{local} (UTC+7; {utc})"


def email_subject(notification: Notification) -> str:
    """``[FIRING critical] <title>``, with the re-page count when it is a re-page."""
    status = _status(notification)[1]
    severity = notification.labels.get("severity", "")
    tags = " ".join(t for t in (status, severity) if t)
    if notification.repeat or notification.level:
        tags += f", repeat {notification.level}"
    annotations = notification.annotations
    title = (annotations.get("title") or annotations.get("summary")
             or notification.labels.get("alertname") or notification.incident)
    title = " ".join(title.split())  # no newlines in a header
    return f"[{tags}] {title[:200]}"


def _status(notification: Notification) -> tuple[str, str]:
    return _STATUS.get(notification.status, (notification.status, notification.status.upper()))


def _annotation_lines(annotations: Mapping[str, str], lang: int) -> list[str]:
    notes = dict(annotations)
    if lang == 0 and notes.get("summary_vi"):
        notes["summary"] = notes["summary_vi"]
    keys = [k for k in _HEADINGS if notes.get(k)]
    keys += sorted(k for k in notes if k not in _HEADINGS and k not in _HIDDEN and notes[k])
    return [f"{_HEADINGS[k][lang] if k in _HEADINGS else k}: {notes[k]}" for k in keys]


def email_body(notification: Notification, external_url: str = "") -> str:
    """The plain-text body: Vietnamese first, then English."""
    link = f"{external_url.rstrip('/')}/alerts" if external_url else ""
    severity = notification.labels.get("severity", "-")
    status = _status(notification)
    sections = []
    for lang, words in enumerate((
            ("Trạng thái", "Mức độ", "Sự cố", "Bắt đầu", "Kết thúc", "Chi tiết",
             f"Nhắc lại lần {notification.level}: chưa có ai xác nhận sự cố."),
            ("Status", "Severity", "Incident", "Started", "Ended", "Details",
             f"Re-page {notification.level}: nobody has acknowledged this incident."))):
        lines = [f"{words[0]}: {status[lang]}", f"{words[1]}: {severity}",
                 f"{words[2]}: {notification.incident}",
                 f"{words[3]}: {_when(notification.starts_at)}"]
        if notification.status == "resolved":
            lines.append(f"{words[4]}: {_when(notification.ends_at)}")
        if notification.repeat:
            lines.append(words[6])
        for label, heading in (("device", ("Thiết bị", "Device")),
                               ("agency", ("Cơ quan", "Agency"))):
            if notification.labels.get(label):
                lines.append(f"{heading[lang]}: {notification.labels[label]}")
        lines += _annotation_lines(notification.annotations, lang)
        if link:
            lines.append(f"{words[5]}: {link}")
        sections.append("\n".join(lines))
    return "\n\n-- English --\n\n".join(sections) + "\n\n-- \nMetronet NOC\n"


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """SMTP AUTH; PLAIN with UTF-8 (RFC 4616) when the credentials are not ASCII."""
    if (username + password).isascii():
        smtp.login(username, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


class EmailNotifier:
    """Sends one e-mail per notification through an SMTP relay."""

    kind = "email"
    heartbeat_interval = 0.0

    def __init__(self, settings: EmailSettings, external_url: str = "",
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.name = "email"
        self.settings = settings
        self.external_url = external_url
        self.ssl_context = ssl_context
        self._secrets = [settings.password.get_secret_value()]

    def __repr__(self) -> str:
        return f"EmailNotifier({self.settings.host!r}, {self.settings.port})"

    def message(self, notification: Notification) -> EmailMessage | None:
        """The e-mail for ``notification``, or None when it has no recipient at all."""
        recipients = list(notification.recipients) or list(self.settings.recipients)
        if not recipients:
            log.warning("incident %s: no e-mail recipient configured", notification.incident)
            return None
        message = EmailMessage()
        message["Subject"] = email_subject(notification)
        message["From"] = self.settings.sender
        message["To"] = ", ".join(recipients)
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.settings.sender.rpartition("@")[2])
        message["X-NOC-Incident"] = notification.incident
        message.set_content(email_body(notification, self.external_url), charset="utf-8")
        return message

    async def send(self, batch: Sequence[Notification]) -> None:
        """Send one message per notification; NotifyError says how many went out."""
        messages = [self.message(n) for n in batch]
        await asyncio.to_thread(self._send_all, messages)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = self.ssl_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.security == "starttls":
                smtp.starttls(context=context)
            if s.username:
                _login(smtp, s.username, s.password.get_secret_value())
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _send_all(self, messages: Sequence[EmailMessage | None]) -> None:
        delivered = 0
        where = f"SMTP {self.settings.host}:{self.settings.port}"
        try:
            smtp = self._connect()
            try:
                for message in messages:
                    if message is not None:
                        smtp.send_message(message)
                    delivered += 1
            finally:
                try:
                    smtp.quit()
                except (OSError, smtplib.SMTPException):
                    smtp.close()
        except (OSError, ValueError, smtplib.SMTPException) as exc:
            raise NotifyError(self._describe(where, exc), delivered) from None

    def _describe(self, where: str, exc: BaseException) -> str:
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            detail = f"login as {self.settings.username!r} refused (SMTP {exc.smtp_code})"
        elif isinstance(exc, smtplib.SMTPResponseException):
            error = exc.smtp_error
            text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
            detail = f"SMTP {exc.smtp_code} {text[:200]}"
        else:
            detail = str(exc)[:200]
        return redact(f"{where}: {type(exc).__name__}: {detail}", self._secrets)

    async def heartbeat(self, now: float) -> None:
        """E-mail has no heartbeat."""

    async def aclose(self) -> None:
        """Nothing to close: each batch opens its own SMTP session."""
