"""Configuration: one typed settings object from a YAML file plus ``NOC_*`` variables.

Precedence (highest first): keyword arguments (the command line), ``NOC_*``
environment variables, the YAML file, defaults. Nested fields use ``__`` in
variable names (``NOC_POLL__INTERVAL=30``). Unknown keys anywhere in the file
are errors. Settings are built by :func:`load_settings`, never at import time.

Credentials are *named profiles*; devices reference a profile by name, so a
secret is written once and never travels with device records. Every secret is
a :class:`pydantic.SecretStr`: printing or dumping the settings shows ``**********``.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from noc.alerting.settings import AlertingSettings, apply_shortcuts

DEFAULT_DATA_DIR = Path("var")
_PLACEHOLDERS = frozenset({"changeme", "change-me", "secret", "password", "xxx", "todo"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SnmpV3Auth(_Strict):
    """SNMPv3 USM parameters of a credentials profile."""

    user: str
    auth_protocol: Literal["", "MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"] = "SHA"
    auth_key: SecretStr = SecretStr("")
    priv_protocol: Literal["", "DES", "AES", "AES192", "AES256"] = "AES"
    priv_key: SecretStr = SecretStr("")

    @model_validator(mode="after")
    def _keys_present(self) -> SnmpV3Auth:
        for proto, key, what in ((self.auth_protocol, self.auth_key, "auth"),
                                 (self.priv_protocol, self.priv_key, "priv")):
            secret = key.get_secret_value()
            if proto and len(secret) < 8:
                raise ValueError(f"{what}_key must have at least 8 characters")
            if secret.lower() in _PLACEHOLDERS:
                raise ValueError(f"{what}_key is a placeholder; set a real key")
        if self.priv_protocol and not self.auth_protocol:
            raise ValueError("privacy needs authentication (authPriv)")
        return self


class CredentialProfile(_Strict):
    """A named set of credentials that devices reference by name."""

    snmp_version: Literal["1", "2c", "3"] = "2c"
    community: SecretStr | None = None
    v3: SnmpV3Auth | None = None
    ssh_username: str | None = None
    ssh_password: SecretStr | None = None
    ssh_private_key: SecretStr | None = Field(
        None, description="OpenSSH private key text (PEM); with or instead of a password")
    ssh_key_passphrase: SecretStr | None = None
    ssh_enable_secret: SecretStr | None = Field(
        None, description="enable secret of network CLIs that need it")

    @model_validator(mode="after")
    def _version_matches(self) -> CredentialProfile:
        ssh_only = self.ssh_username is not None and self.community is None and self.v3 is None
        if ssh_only:
            return self  # an SSH profile: no SNMP credentials needed
        if self.snmp_version in ("1", "2c") and self.community is None:
            raise ValueError(f"SNMP v{self.snmp_version} needs a community")
        if self.snmp_version == "3" and self.v3 is None:
            raise ValueError("SNMP v3 needs a v3 block (user, keys)")
        if (self.ssh_password or self.ssh_private_key) and not self.ssh_username:
            raise ValueError("an SSH password or key needs ssh_username")
        return self

    @property
    def has_snmp(self) -> bool:
        """Whether the profile can poll SNMP."""
        return self.community is not None or self.v3 is not None


class PollSettings(_Strict):
    """How often and how hard the scheduler polls."""

    interval: float = Field(60.0, gt=0, description="seconds between polls of one device")
    timeout: float = Field(2.0, gt=0, description="seconds per SNMP request")
    retries: int = Field(1, ge=0, le=5)
    deadline: float = Field(20.0, gt=0, description="hard limit for one device's poll")
    concurrency: int = Field(64, ge=1, le=4096)
    max_repetitions: int = Field(25, ge=1, le=100)
    down_after_failures: int = Field(1, ge=1, description="failed polls before 'down'")
    facts_interval: float = Field(300.0, gt=0, description="seconds between health/inventory "
                                  "polls (CPU, memory, sensors, ENTITY-MIB, LLDP/CDP)")


class IcmpSettings(_Strict):
    """Reachability of every addressed device (ICMP echo with fping, one process per cycle)."""

    enabled: bool = True
    interval: float = Field(10.0, ge=2, le=300, description="seconds between cycles")
    count: int = Field(3, ge=1, le=10, description="echo requests per device per cycle")
    timeout_ms: int = Field(1000, ge=50, le=10000, description="wait for each reply")
    confirm_cycles: int = Field(2, ge=1, le=10,
                                description="silent cycles in a row before 'down'")
    recheck_delay: float = Field(2.0, ge=0, le=60,
                                 description="seconds after a cycle before the addresses silent "
                                 "in it are probed again, alone (a re-probe counts as a cycle "
                                 "toward confirm_cycles); 0: wait for the next cycle")


class SshSettings(_Strict):
    """SSH collection: facts of SSH-monitored devices and configuration backups."""

    enabled: bool = True
    interval: float = Field(300.0, ge=10, description="seconds between facts collections")
    config_interval: float = Field(3600.0, ge=30,
                                   description="seconds between configuration backups")
    workers: int = Field(8, ge=1, le=64, description="SSH sessions at once (threads)")
    timeout: float = Field(30.0, gt=0, description="hard limit for one device's session")


class AuthSettings(_Strict):
    """Logins and who may read without one."""

    anonymous_read: bool | None = Field(
        None, description="read-only pages and API without logging in (wall screens); "
                          "default: on with the lab, off with a real config")
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="login lifetime")
    secure_cookies: bool | None = Field(
        None, description="mark cookies Secure (HTTPS only); default: when not on loopback")


class ChartSettings(_Strict):
    """Chart history: the NOC's own store, and Prometheus when configured."""

    prometheus_url: str = Field("", description="e.g. http://127.0.0.1:9090; empty: the "
                                "NOC's own history only")
    prometheus_timeout: float = Field(5.0, gt=0)
    max_series: int = Field(20_000, ge=100, description="series kept in the embedded store "
                            "(about 40 KiB each once 30 days are full)")
    save_interval: float = Field(300.0, ge=10, description="seconds between saves of the store")


class LabSettings(_Strict):
    """The simulated city network started with ``noc run --lab``."""

    enabled: bool = False
    scale: Literal["small", "medium", "city"] = "city"
    port: int = Field(0, ge=0, le=65535, description="SNMP port; 0: 161 as root, else 16161")
    community: SecretStr = SecretStr("public")


class InfluxSettings(_Strict):
    """Export of every poll to InfluxDB (or a compatible server); off while ``url`` is empty.

    ``kind: v2`` writes with influxdb-client to ``/api/v2/write`` (org, bucket,
    token; VictoriaMetrics accepts it too); ``kind: v1`` posts to ``/write``
    (database, retention_policy, username/password as HTTP basic auth).
    Every batch is kept in ``buffer_dir`` until the server acknowledges it.
    """

    url: str = Field("", description="e.g. http://127.0.0.1:8086; empty: export disabled")
    kind: Literal["v2", "v1"] = "v2"
    org: str = ""
    bucket: str = ""
    token: SecretStr = SecretStr("")
    database: str = ""
    retention_policy: str = ""
    username: str = ""
    password: SecretStr = SecretStr("")
    batch_size: int = Field(5000, ge=1, le=1_000_000, description="points per write")
    flush_interval: float = Field(1.0, gt=0, description="seconds before a partial batch goes")
    timeout: float = Field(10.0, gt=0, description="seconds per HTTP write")
    buffer_dir: Path | None = Field(None, description="default: <data_dir>/influx-buffer")
    buffer_max_bytes: int = Field(256 * 2**20, ge=4096, description="oldest batches dropped "
                                  "(and counted) above this")
    layout: Literal["wide", "per_metric"] = Field(
        "wide", description="wide: measurements interface/device with one field per metric; "
        "per_metric: one measurement per metric (interface_in_octets...), field 'value'")
    measurement_prefix: str = Field("", description="prepended to every measurement name")

    @property
    def enabled(self) -> bool:
        """Whether points are exported at all."""
        return bool(self.url)

    @model_validator(mode="after")
    def _target_complete(self) -> InfluxSettings:
        if not self.url:
            return self
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        if self.kind == "v2" and not (self.org and self.bucket):
            raise ValueError("kind v2 needs org and bucket")
        if self.kind == "v1" and not self.database:
            raise ValueError("kind v1 needs database")
        for what, secret in (("token", self.token), ("password", self.password)):
            if secret.get_secret_value().lower() in _PLACEHOLDERS:
                raise ValueError(f"{what} is a placeholder; set a real one")
        return self


class Settings(BaseSettings):
    """Everything the NOC needs to run."""

    model_config = SettingsConfigDict(env_prefix="NOC_", env_nested_delimiter="__",
                                      extra="forbid", frozen=True)

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = Field("", description="SQLAlchemy URL; empty: SQLite under data_dir")
    listen: str = "127.0.0.1:8000"
    shard: str = Field("1/1", description="this poller's shard 'i/n' (hash of device name)")
    poll: PollSettings = Field(default_factory=PollSettings)
    icmp: IcmpSettings = Field(default_factory=IcmpSettings)
    ssh: SshSettings = Field(default_factory=SshSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    charts: ChartSettings = Field(default_factory=ChartSettings)
    lab: LabSettings = Field(default_factory=LabSettings)
    influx: InfluxSettings = Field(default_factory=InfluxSettings)
    alerting: AlertingSettings = Field(default_factory=AlertingSettings)
    credentials: dict[str, CredentialProfile] = Field(default_factory=dict)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("listen")
    @classmethod
    def _listen_form(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("listen must be HOST:PORT, e.g. 127.0.0.1:8000")
        return value

    @field_validator("shard")
    @classmethod
    def _shard_form(cls, value: str) -> str:
        index, sep, total = value.partition("/")
        if not sep or not index.isdigit() or not total.isdigit():
            raise ValueError("shard must be 'i/n', e.g. 1/4")
        if not 1 <= int(index) <= int(total):
            raise ValueError("shard index must be between 1 and n")
        return value

    @property
    def db_url(self) -> str:
        """The database URL, defaulting to SQLite in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'noc.sqlite3'}"

    @property
    def listen_host_port(self) -> tuple[str, int]:
        """``listen`` split into host and port."""
        host, _, port = self.listen.rpartition(":")
        return host, int(port)

    @property
    def shard_index_total(self) -> tuple[int, int]:
        """``shard`` as (index, total), index 1-based."""
        index, _, total = self.shard.partition("/")
        return int(index), int(total)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Command line over environment over the YAML file."""
        return (init_settings, env_settings, _FileSource(settings_cls, _FILE_DATA.get() or {}))


_FILE_DATA: ContextVar[dict[str, Any] | None] = ContextVar("noc_config_file", default=None)


class _FileSource(PydanticBaseSettingsSource):
    """The already-parsed YAML file as a settings source."""

    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


class ConfigError(ValueError):
    """A configuration file or variable that cannot be used; the message says where."""


def read_config_file(path: Path) -> dict[str, Any]:
    """Read a YAML config file into a mapping (empty file: empty mapping)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must be a mapping at the top level")
    return data


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from an optional YAML file, ``NOC_*`` variables and overrides.

    ``overrides`` are command-line values (``None`` values are ignored) and
    win over everything else; the environment wins over the file. Any problem
    raises :class:`ConfigError` naming the file and every bad key.
    """
    file_data = read_config_file(config) if config else {}
    apply_shortcuts(file_data)  # NOC_ALERTMANAGER_URL and friends
    cli = {k: v for k, v in overrides.items() if v is not None}
    token = _FILE_DATA.set(file_data)
    try:
        return Settings(**cli)
    except ValidationError as exc:
        where = f" in {config}" if config else ""
        raise ConfigError(f"invalid configuration{where}:\n{_describe(exc)}") from None
    finally:
        _FILE_DATA.reset(token)


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        lines.append(f"  {loc}: {msg}")
    return "\n".join(lines)
