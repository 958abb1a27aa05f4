from pathlib import Path

import pytest

from noc.settings import ConfigError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "noc.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_config_use_sqlite_in_data_dir(monkeypatch):
    monkeypatch.delenv("NOC_POLL__INTERVAL", raising=False)
    s = load_settings(None, data_dir=Path("/tmp/x"))
    assert s.db_url == "sqlite:////tmp/x/noc.sqlite3"
    assert s.poll.interval == 60.0


def test_unknown_keys_are_errors_naming_the_key(tmp_path):
    path = write(tmp_path, "poll:\n  intervall: 5\nlisten: 127.0.0.1:9000\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert "poll.intervall: unknown key" in str(err.value)
    assert str(path) in str(err.value)


def test_environment_overrides_file_and_cli_overrides_environment(tmp_path, monkeypatch):
    path = write(tmp_path, "poll:\n  interval: 30\n  timeout: 3\nlisten: 127.0.0.1:9000\n")
    monkeypatch.setenv("NOC_POLL__INTERVAL", "15")
    monkeypatch.setenv("NOC_LISTEN", "127.0.0.1:9100")
    s = load_settings(path, listen="127.0.0.1:9200")
    assert s.poll.interval == 15.0  # env over file
    assert s.poll.timeout == 3.0  # file kept where env says nothing
    assert s.listen == "127.0.0.1:9200"  # cli over env


def test_secrets_never_show_in_dumps_or_repr(tmp_path):
    path = write(tmp_path, """
credentials:
  core:
    community: s3cr3t-community
  v3:
    snmp_version: "3"
    v3: {user: noc, auth_key: topsecretauth, priv_key: topsecretpriv}
""")
    s = load_settings(path)
    for text in (repr(s), str(s), s.model_dump_json(), str(s.model_dump())):
        assert "s3cr3t-community" not in text
        assert "topsecretauth" not in text
        assert "topsecretpriv" not in text
    assert s.credentials["core"].community is not None
    assert s.credentials["core"].community.get_secret_value() == "s3cr3t-community"


def test_v3_placeholder_or_short_keys_are_refused(tmp_path):
    path = write(tmp_path, """
credentials:
  v3:
    snmp_version: "3"
    v3: {user: noc, auth_key: changeme, priv_key: short}
""")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert "credentials.v3.v3" in str(err.value)
    assert "changeme" not in str(err.value)


def test_v2c_profile_without_community_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="needs a community"):
        load_settings(write(tmp_path, "credentials:\n  x: {snmp_version: '2c'}\n"))


@pytest.mark.parametrize("shard", ["0/2", "3/2", "a/b", "2"])
def test_bad_shard_is_refused(shard):
    with pytest.raises(ConfigError, match="shard"):
        load_settings(None, shard=shard)


def test_bad_yaml_names_the_file(tmp_path):
    path = write(tmp_path, "poll: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(path)
