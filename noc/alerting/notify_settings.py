"""Settings of the notifiers: Alertmanager, webhooks, e-mail, and how failed sends are retried.

Every model is strict (unknown keys are errors) and frozen; passwords and
tokens are :class:`pydantic.SecretStr`, so printing or dumping the settings
shows ``**********``. URL fields must be ``http://`` or ``https://`` URLs
with a host; the error message never repeats the URL (it may carry a token).
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator


def check_http_url(value: str, allow_empty: bool = False) -> str:
    """``value`` if it is an http(s) URL with a host, else ValueError (without the URL)."""
    if allow_empty and value == "":
        return value
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise ValueError("must be an http(s) URL such as http://127.0.0.1:9093 "
                         "(it could not be parsed)") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("must be an http(s) URL such as http://127.0.0.1:9093 "
                         f"(scheme is {parts.scheme or 'missing'!r})")
    if not host:
        raise ValueError("must be an http(s) URL such as http://127.0.0.1:9093 (no host)")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AlertmanagerSettings(_Strict):
    """Where and how to push alerts to Alertmanager's API v2."""

    url: str  # base URL, e.g. http://127.0.0.1:9093
    timeout: float = Field(5.0, gt=0)
    resend_interval: float = Field(60.0, gt=0)  # firing alerts re-sent so they do not expire
    heartbeat_interval: float = Field(30.0, ge=0)  # NocWatchdog; 0: no watchdog
    username: str = ""
    password: SecretStr = SecretStr("")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_http_url(value)


class WebhookSettings(_Strict):
    """One generic JSON webhook (chat bridge, ticketing system...)."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    url: str
    token: SecretStr | None = None  # sent as ``Authorization: Bearer <token>``
    timeout: float = Field(5.0, gt=0)
    heartbeat_interval: float = Field(0.0, ge=0)  # 0: no heartbeat posts

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_http_url(value)


class EmailSettings(_Strict):
    """An SMTP relay and the default recipients."""

    host: str = Field(min_length=1)
    port: int = Field(25, gt=0, lt=65536)
    security: Literal["none", "starttls", "tls"] = "none"
    username: str = ""
    password: SecretStr = SecretStr("")
    sender: str = Field(min_length=3)
    recipients: list[str] = Field(default_factory=list)  # when a notification names none
    timeout: float = Field(10.0, gt=0)

    @field_validator("sender", "recipients")
    @classmethod
    def _addresses(cls, value: str | list[str]) -> str | list[str]:
        for address in [value] if isinstance(value, str) else value:
            if "@" not in address or any(c in address for c in " \r\n,;"):
                raise ValueError(f"not an e-mail address: {address!r}")
        return value


class RetrySettings(_Strict):
    """Exponential backoff of failed sends: ``first_delay * 2**n`` capped at ``max_delay``."""

    first_delay: float = Field(1.0, gt=0)
    max_delay: float = Field(60.0, gt=0)
    max_age: float = Field(3600.0, gt=0)  # give up on a notification queued longer than this

    @model_validator(mode="after")
    def _order(self) -> RetrySettings:
        if self.max_delay < self.first_delay:
            raise ValueError("max_delay must be at least first_delay")
        return self


class NotifySettings(_Strict):
    """All notifiers; none configured means notifications are only shown on the dashboard."""

    alertmanager: AlertmanagerSettings | None = None
    webhooks: list[WebhookSettings] = Field(default_factory=list)
    email: EmailSettings | None = None
    retry: RetrySettings = Field(default_factory=RetrySettings)
    external_url: str = ""  # the NOC's own URL, for links and generatorURL

    @field_validator("external_url")
    @classmethod
    def _external_url(cls, value: str) -> str:
        return check_http_url(value, allow_empty=True)

    @field_validator("webhooks")
    @classmethod
    def _unique_names(cls, value: list[WebhookSettings]) -> list[WebhookSettings]:
        names = [w.name for w in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate webhook names: {', '.join(duplicates)}")
        return value
