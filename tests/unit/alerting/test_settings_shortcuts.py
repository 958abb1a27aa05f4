"""The ``alerting:`` settings: short NOC_* variables, precedence, and secrets kept secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from noc.settings import ConfigError, load_settings


def test_short_variables_fill_the_alerting_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOC_ALERTMANAGER_URL", "http://127.0.0.1:9093")
    monkeypatch.setenv("NOC_WEBHOOK_URLS", "http://127.0.0.1:8080/a, http://127.0.0.1:8080/b")
    monkeypatch.setenv("NOC_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NOC_SMTP_PORT", "2525")
    monkeypatch.setenv("NOC_SMTP_PASSWORD", "smtp-pass-Zq9")
    monkeypatch.setenv("NOC_SMTP_FROM", "noc@example.org")
    monkeypatch.setenv("NOC_SMTP_TO", "a@example.org,b@example.org")
    monkeypatch.setenv("NOC_TRAP_LISTEN", "127.0.0.1:1162")
    notify = load_settings().alerting.notify
    assert notify.alertmanager is not None and notify.alertmanager.url == "http://127.0.0.1:9093"
    assert [(w.name, w.url) for w in notify.webhooks] == [
        ("webhook1", "http://127.0.0.1:8080/a"), ("webhook2", "http://127.0.0.1:8080/b")]
    assert notify.email is not None
    assert (notify.email.host, notify.email.port) == ("127.0.0.1", 2525)
    assert notify.email.recipients == ["a@example.org", "b@example.org"]
    assert "smtp-pass-Zq9" not in repr(load_settings())
    assert load_settings().alerting.traps.listen == "127.0.0.1:1162"


def test_the_variable_wins_over_the_file(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "noc.yaml"
    config.write_text("alerting:\n  notify:\n    alertmanager: {url: http://127.0.0.1:1}\n"
                      "      \n  settle: 5\n")
    assert load_settings(config).alerting.notify.alertmanager.url == "http://127.0.0.1:1"  # type: ignore[union-attr]
    monkeypatch.setenv("NOC_ALERTMANAGER_URL", "http://127.0.0.1:2")
    settings = load_settings(config)
    assert settings.alerting.notify.alertmanager.url == "http://127.0.0.1:2"  # type: ignore[union-attr]
    assert settings.alerting.settle == 5


def test_bad_alerting_keys_are_named(tmp_path: Path) -> None:
    config = tmp_path / "noc.yaml"
    config.write_text("alerting:\n  rules:\n    rules: {cpu_hgh: {threshold: 95}}\n")
    with pytest.raises(ConfigError, match="cpu_hgh"):
        load_settings(config)
    monkey = tmp_path / "bad-url.yaml"
    monkey.write_text("alerting:\n  notify:\n    alertmanager: {url: 'ftp://x'}\n")
    with pytest.raises(ConfigError, match="alertmanager"):
        load_settings(monkey)
