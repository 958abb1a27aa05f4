"""Notifier settings: strict, URLs checked, secrets hidden."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from noc.alerting.notify_settings import (
    AlertmanagerSettings,
    EmailSettings,
    NotifySettings,
    RetrySettings,
    WebhookSettings,
)


def test_defaults() -> None:
    settings = NotifySettings()
    assert (settings.alertmanager, settings.webhooks, settings.email) == (None, [], None)
    assert settings.retry == RetrySettings(first_delay=1, max_delay=60, max_age=3600)
    am = AlertmanagerSettings(url="http://127.0.0.1:9093")
    assert (am.timeout, am.resend_interval, am.heartbeat_interval) == (5, 60, 30)


@pytest.mark.parametrize("url", ["127.0.0.1:9093", "ftp://h/x", "http://", "", "http:///p"])
def test_urls_must_be_http_with_a_host(url: str) -> None:
    with pytest.raises(ValidationError, match=r"must be an http\(s\) URL"):
        WebhookSettings(name="ops", url=url)


def test_url_error_does_not_repeat_the_url() -> None:
    with pytest.raises(ValidationError) as caught:
        AlertmanagerSettings(url="ftp://user:PW-IN-URL@h/")
    message = caught.value.errors()[0]["msg"]
    assert "scheme is 'ftp'" in message and "PW-IN-URL" not in message


def test_external_url_may_be_empty_but_not_bogus() -> None:
    assert NotifySettings(external_url="").external_url == ""
    assert NotifySettings(external_url="https://noc.example.org").external_url
    with pytest.raises(ValidationError, match="external_url"):
        NotifySettings(external_url="noc.example.org")


def test_unknown_keys_duplicates_and_bad_retry_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        NotifySettings.model_validate({"alertmanager": {"url": "http://h:1", "urls": []}})
    with pytest.raises(ValidationError, match="duplicate webhook names: ops"):
        NotifySettings.model_validate({"webhooks": [{"name": "ops", "url": "http://a"},
                                                    {"name": "ops", "url": "http://b"}]})
    with pytest.raises(ValidationError, match="max_delay"):
        RetrySettings(first_delay=10, max_delay=1)
    with pytest.raises(ValidationError, match="not an e-mail address"):
        EmailSettings(host="h", sender="noc@example.org", recipients=["a@b, c@d"])


def test_secrets_never_printed_or_dumped() -> None:
    settings = NotifySettings.model_validate({
        "alertmanager": {"url": "http://h:9093", "username": "u", "password": "AM-PW"},
        "webhooks": [{"name": "ops", "url": "http://h:1", "token": "WH-TOKEN"}],
        "email": {"host": "h", "sender": "noc@example.org", "password": "SMTP-PW"},
    })
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    for secret in ("AM-PW", "WH-TOKEN", "SMTP-PW"):
        assert secret not in shown
    assert settings.email is not None
    assert settings.email.password.get_secret_value() == "SMTP-PW"
