"""Settings: file + environment layering, errors that name the key, secrets masked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hiitd.errors import ConfigError
from hiitd.settings import load_settings, parse_duration, parse_pace, redacted


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("HIITD_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))


ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hiitd.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_give_the_documented_base_topic() -> None:
    """With no file and no environment the base topic is hiitd/athlete on localhost:1883."""
    s = load_settings()
    assert s.base_topic == "hiitd/athlete"
    assert (s.mqtt.host, s.mqtt.port, s.mqtt.tls) == ("localhost", 1883, False)


def test_example_config_is_valid() -> None:
    """The shipped example configuration loads without error."""
    s = load_settings(ROOT / "config" / "hiitd.example.toml")
    assert s.ble.watchdog_s == 5.0


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HIITD_MQTT__URL wins over the file; other file values stay."""
    cfg = write(tmp_path, '[mqtt]\nurl = "mqtt://file:1883"\nprefix = "gym"\n')
    monkeypatch.setenv("HIITD_MQTT__URL", "mqtts://env.example")
    s = load_settings(cfg)
    assert s.mqtt.url == "mqtts://env.example"
    assert s.mqtt.port == 8883
    assert s.mqtt.prefix == "gym"


def test_bad_value_names_the_key(tmp_path: Path) -> None:
    """A bad value's error names the dotted key and the offending input."""
    cfg = write(tmp_path, "[athlete]\nmax_hr = 300\n")
    with pytest.raises(ConfigError, match=r"athlete\.max_hr: .*300"):
        load_settings(cfg)


def test_voice_settings_name_the_key_and_the_choices(tmp_path: Path) -> None:
    """An unknown engine lists the known ones; a file output needs a folder; off by default."""
    assert load_settings(write(tmp_path, "")).voice.enabled is False
    cfg = write(tmp_path, '[voice]\nengine = "festival"\n')
    with pytest.raises(ConfigError, match=r"voice\.engine: .*'espeak-ng' or 'piper'.*festival"):
        load_settings(cfg)
    cfg = write(tmp_path, '[voice]\noutput = "file:"\n')
    with pytest.raises(ConfigError, match=r"voice\.output: 'file:' needs a folder"):
        load_settings(cfg)
    cfg = write(tmp_path, '[voice]\nlanguage = "English please"\n')
    with pytest.raises(ConfigError, match=r"voice\.language: .*not a language code"):
        load_settings(cfg)
    voice = load_settings(write(tmp_path, '[voice]\noutput = "file:~/voice"\n')).voice
    assert voice.folder is not None
    assert voice.folder.name == "voice"


def test_unknown_key_is_reported(tmp_path: Path) -> None:
    """A misspelt key is an error naming it and the key it was probably meant to be."""
    cfg = write(tmp_path, "[ble]\nwatchdog_secs = 5\n")
    with pytest.raises(
        ConfigError, match=r"ble\.watchdog_secs: unknown key \(did you mean 'watchdog_s'\?\)"
    ):
        load_settings(cfg)
    cfg = write(tmp_path, "[ble.hr]\nadress = '11:22:33:44:55:66'\n")
    with pytest.raises(
        ConfigError, match=r"ble\.hr\.adress: unknown key \(did you mean 'address'\?\)"
    ):
        load_settings(cfg)
    cfg = write(tmp_path, "[athlete]\nzzz = 1\n")
    with pytest.raises(ConfigError, match=r"athlete\.zzz: unknown key \(misspelt, or in the wrong"):
        load_settings(cfg)


def test_toml_syntax_error_is_a_config_error(tmp_path: Path) -> None:
    """A broken TOML file gives a ConfigError naming the file."""
    cfg = write(tmp_path, "[athlete\n")
    with pytest.raises(ConfigError, match=r"hiitd\.toml"):
        load_settings(cfg)


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    """--config pointing nowhere stops with a message naming the path."""
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("section", "text", "key"),
    [
        ("athlete", 'id = "Has Spaces"', "athlete.id"),
        ("athlete", 'threshold_pace = "fast"', "athlete.threshold_pace"),
        ("mqtt", 'url = "http://broker"', "mqtt.url"),
        ("mqtt", 'url = "mqtt://user:pw@broker"', "mqtt.url"),
        ("mqtt", 'prefix = "a/#"', "mqtt.prefix"),
        ("ble.hr", 'address = "not-an-address"', "ble.hr.address"),
        ("ble.footpod", "cadence_scale = 3", "ble.footpod.cadence_scale"),
        ("log", 'level = "verbose"', "log.level"),
    ],
)
def test_each_invalid_value_names_its_key(
    tmp_path: Path, section: str, text: str, key: str
) -> None:
    """Every validated key reports itself by its dotted name."""
    cfg = write(tmp_path, f"[{section}]\n{text}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert f"{key}:" in str(info.value)


def test_password_is_masked_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The password is a SecretStr: not in repr, masked in the redacted dump."""
    monkeypatch.setenv("HIITD_MQTT__PASSWORD", "hunter2-sekrit")
    s = load_settings()
    assert s.mqtt.secret() == "hunter2-sekrit"
    assert "hunter2" not in repr(s)
    assert "hunter2" not in str(redacted(s))


def test_password_from_file_and_credential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """password_file is read; without it systemd's credential directory is used."""
    pw = tmp_path / "pw"
    pw.write_text("from-file\n", encoding="utf-8")
    s = load_settings(write(tmp_path, f'[mqtt]\npassword_file = "{pw}"\n'))
    assert s.mqtt.secret() == "from-file"
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "mqtt_password").write_text("from-systemd", encoding="utf-8")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert load_settings().mqtt.secret() == "from-systemd"


def test_pace_and_duration_parsing() -> None:
    """min:s pace and h:mm:ss durations parse to seconds; junk is refused."""
    assert parse_pace("4:30") == 270
    assert parse_duration("25:00") == 1500
    assert parse_duration("1:35:20") == 5720
    with pytest.raises(ValueError, match="pace"):
        parse_pace("4.5")


def test_example_config_documents_every_coach_threshold() -> None:
    """Every CoachConfig field appears in the example config, so the docs stay true."""
    from hiitd.coach.coach_config import CoachConfig  # noqa: PLC0415

    text = (ROOT / "config" / "hiitd.example.toml").read_text(encoding="utf-8")
    missing = [k for k in CoachConfig.model_fields if f"{k} = " not in text]
    assert missing == []


def test_example_config_documents_every_plan_key() -> None:
    """Every [plan] and [plan.screening] key, and athlete.beta_blockers, in the example
    configuration and in configuration.md's tables."""
    from hiitd.plan.plan_config import PlanConfig, Screening  # noqa: PLC0415

    text = (ROOT / "config" / "hiitd.example.toml").read_text(encoding="utf-8")
    keys = [*PlanConfig.model_fields, *Screening.model_fields, "beta_blockers"]
    missing = [k for k in keys if k != "screening" and f"{k} = " not in text]
    assert missing == []
    assert "[plan.screening]" in text
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert [k for k in keys if k != "screening" and f"| `{k}` |" not in docs] == []
    assert load_settings(ROOT / "config" / "hiitd.example.toml").plan == PlanConfig()


def test_coach_section_is_validated(tmp_path: Path) -> None:
    """A bad coach threshold names its key like any other setting."""
    with pytest.raises(ConfigError, match=r"coach\.grace_hr_s"):
        load_settings(write(tmp_path, "[coach]\ngrace_hr_s = -5\n"))


def test_state_directory_is_read_at_load_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """STATE_DIRECTORY set after import is honoured (no default frozen at import)."""
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "one"))
    assert load_settings().storage.state_dir == tmp_path / "one"
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "two"))
    assert load_settings().storage.state_dir == tmp_path / "two"


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("days_per_week = 9", "days_per_week"),
        ("max_four_week_ratio = 3.0", "max_four_week_ratio"),
        ("deload_volume = 0.2", "deload_volume"),
        ("min_hours_between_hiit_older = -1", "min_hours_between_hiit_older"),
        ("break_restart = 1.5", "break_restart"),
    ],
)
def test_a_bad_plan_value_names_its_key(tmp_path: Path, line: str, key: str) -> None:
    """An out-of-range [plan] value stops start-up with the key's name."""
    with pytest.raises(ConfigError, match=rf"plan\.{key}"):
        load_settings(write(tmp_path, f"[plan]\n{line}\n"))
