from pathlib import Path

from typer.testing import CliRunner

from noc.cli import app

runner = CliRunner()


def test_help_lists_run_and_lab_with_their_options():
    out = runner.invoke(app, ["--help"]).output
    assert "run" in out
    assert "lab" in out
    run_help = runner.invoke(app, ["run", "--help"]).output
    for option in ("--lab", "--listen", "--data-dir", "--config", "--scale", "--interval"):
        assert option in run_help
    lab_help = runner.invoke(app, ["lab", "--help"]).output
    for command in ("break", "heal", "status", "serve", "show"):
        assert command in lab_help


def test_bad_config_exits_2_naming_the_key(tmp_path: Path):
    config = tmp_path / "noc.yaml"
    config.write_text("pol:\n  interval: 5\n")
    result = runner.invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 2
    assert "pol: unknown key" in result.output


def test_lab_break_without_a_running_lab_says_so(tmp_path: Path):
    result = runner.invoke(app, ["lab", "break", "q1-sw1", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "no running lab" in result.output


def test_lab_show_prints_city_counts():
    out = runner.invoke(app, ["lab", "show", "--scale", "city"]).output
    assert "snmp_devices" in out
