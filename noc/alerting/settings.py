"""The ``alerting:`` section of the configuration, and its ``NOC_*`` shortcuts.

Everything about alerting lives under one key::

    alerting:
      interval: 1s             # how often rules are evaluated
      rules: {...}             # noc.alerting.rules.RulesSettings
      notify: {...}            # noc.alerting.notify_settings.NotifySettings
      oncall: {...}            # noc.alerting.oncall.OnCallSettings
      traps: {...}             # noc.alerting.traps.TrapSettings

Besides the nested ``NOC_ALERTING__...`` variables, the usual deployment
knobs have short names (:data:`SHORTCUTS`), e.g. ``NOC_ALERTMANAGER_URL``;
they win over the file like every other variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from noc.alerting.notify_settings import NotifySettings
from noc.alerting.oncall import OnCallSettings
from noc.alerting.rules import RulesSettings
from noc.alerting.traps import TrapSettings


class AlertingSettings(BaseModel):
    """Rules, paging, on-call and the trap receiver."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    interval: float = Field(1.0, ge=0.2, le=60, description="seconds between rule evaluations")
    page_min_severity: Literal["critical", "major", "warning", "info"] = Field(
        "warning", description="incidents milder than this are shown, never paged")
    settle: float = Field(20.0, ge=0, le=120, description="longest wait for an upstream "
                          "device's status before paging about what is behind it")
    startup_grace: float = Field(0.0, ge=0, description="seconds after a start during which "
                                 "alerts restored from the database are not resolved for "
                                 "lack of data (0: 1.5 poll intervals)")
    rules: RulesSettings = Field(default_factory=RulesSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    oncall: OnCallSettings = Field(default_factory=OnCallSettings)
    traps: TrapSettings = Field(default_factory=TrapSettings)


#: short variable -> (path under the settings, how to read the value)
SHORTCUTS: dict[str, tuple[tuple[str, ...], str]] = {
    "NOC_ALERTMANAGER_URL": (("alerting", "notify", "alertmanager", "url"), "str"),
    "NOC_WEBHOOK_URLS": (("alerting", "notify", "webhooks"), "webhooks"),
    "NOC_SMTP_HOST": (("alerting", "notify", "email", "host"), "str"),
    "NOC_SMTP_PORT": (("alerting", "notify", "email", "port"), "str"),
    "NOC_SMTP_SECURITY": (("alerting", "notify", "email", "security"), "str"),
    "NOC_SMTP_USERNAME": (("alerting", "notify", "email", "username"), "str"),
    "NOC_SMTP_PASSWORD": (("alerting", "notify", "email", "password"), "str"),
    "NOC_SMTP_FROM": (("alerting", "notify", "email", "sender"), "str"),
    "NOC_SMTP_TO": (("alerting", "notify", "email", "recipients"), "list"),
    "NOC_TRAP_LISTEN": (("alerting", "traps", "listen"), "str"),
    "NOC_EXTERNAL_URL": (("alerting", "notify", "external_url"), "str"),
}


def _value(kind: str, raw: str) -> Any:
    if kind == "list":
        return [part.strip() for part in raw.split(",") if part.strip()]
    if kind == "webhooks":
        urls = [part.strip() for part in raw.split(",") if part.strip()]
        return [{"name": f"webhook{i + 1}" if len(urls) > 1 else "webhook", "url": url}
                for i, url in enumerate(urls)]
    return raw


def apply_shortcuts(data: dict[str, Any], environ: Mapping[str, str] | None = None) -> None:
    """Merge the short ``NOC_*`` variables into parsed file ``data`` (in place)."""
    env = os.environ if environ is None else environ
    for name, (path, kind) in SHORTCUTS.items():
        raw = env.get(name)
        if raw is None or raw == "":
            continue
        node = data
        for key in path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node = child
        node[path[-1]] = _value(kind, raw)
