"""The settings model: one frozen object built once in ``main()`` and passed down.

Sources, highest priority first: command-line overrides, ``HIITD_*`` environment
variables (``__`` nests: ``HIITD_MQTT__URL``), then the TOML file given with
``--config`` or, without it, ``/etc/hiitd/hiitd.toml`` when it exists.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

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
    TomlConfigSettingsSource,
)

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.runner_text import parse_duration, parse_pace
from hiitd.errors import ConfigError
from hiitd.plan.plan_config import Answer, PlanConfig
from hiitd_drivers.samples import Role

DEFAULT_CONFIG_FILE = Path("/etc/hiitd/hiitd.toml")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_BLE_ADDRESS = re.compile(r"^[0-9A-F]{2}(:[0-9A-F]{2}){5}$")


class _Section(BaseModel):
    """A settings section: frozen, unknown keys rejected so typos are reported."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class RaceResult(_Section):
    """A recent race or time trial, from which pace zones are derived (Daniels' VDOT)."""

    distance_m: Annotated[float, Field(gt=400, le=100_000)]
    time: str = Field(description="finishing time, 25:00 or 1:35:20")

    @field_validator("time")
    @classmethod
    def _check_time(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def time_s(self) -> float:
        """The finishing time in seconds."""
        return parse_duration(self.time)


class AthleteSettings(_Section):
    """Who is running: the profile zones, calories and load are computed from."""

    id: str = Field(default="athlete", description="slug used in MQTT topics")
    name: str = "Runner"
    age: Annotated[int, Field(ge=10, le=100)] | None = None
    sex: Literal["male", "female"] | None = None
    weight_kg: Annotated[float, Field(gt=25, le=250)] | None = None
    height_cm: Annotated[float, Field(gt=100, le=250)] | None = None
    # The ranges do not overlap, so resting_hr < max_hr holds by construction.
    max_hr: Annotated[int, Field(ge=120, le=230)] | None = None
    resting_hr: Annotated[int, Field(ge=30, le=110)] | None = None
    lthr: Annotated[int, Field(ge=100, le=220)] | None = None
    threshold_pace: str | None = Field(default=None, description="min:s per km, e.g. 4:45")
    ftp_w: Annotated[float, Field(gt=50, le=1000)] | None = Field(
        default=None, description="running functional threshold power, W (power pods)"
    )
    race: RaceResult | None = None
    beta_blockers: Answer = Field(
        default=False,
        description=(
            "takes beta blockers: heart rate is blunted, so zones, the HR ceiling and HRR60 "
            "are not used for coaching (pace and RPE instead)"
        ),
    )

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(
                "must be a slug: lower-case letters, digits, '-' or '_' (it is an MQTT topic level)"
            )
        return value

    @field_validator("threshold_pace")
    @classmethod
    def _check_pace(cls, value: str | None) -> str | None:
        if value is not None:
            parse_pace(value)
        return value


class SensorSettings(_Section):
    """One sensor role: which device to bind, and how to correct what it sends."""

    enabled: bool = True
    address: str | None = Field(default=None, description="BLE address AA:BB:CC:DD:EE:FF")
    name: str | None = Field(default=None, description="advertised name, when no address")
    speed_factor: Annotated[float, Field(gt=0.5, lt=1.5)] = Field(
        default=1.0, description="footpod calibration: true distance / pod distance"
    )
    cadence_scale: Literal[1, 2] = Field(
        default=1, description="2 for pods that report strides (not steps) per minute"
    )

    @field_validator("address")
    @classmethod
    def _check_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        if not _BLE_ADDRESS.match(value):
            raise ValueError("must be a BLE address like AA:BB:CC:DD:EE:FF")
        return value


class BleSettings(_Section):
    """The radio side: adapter, scanning, watchdog and reconnect policy."""

    adapter: str = "hci0"
    scan_timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0
    connect_timeout_s: Annotated[float, Field(gt=0, le=120)] = 20.0
    watchdog_s: Annotated[float, Field(gt=0, le=120)] = Field(
        default=5.0, description="reconnect when no notification arrives for this long"
    )
    backoff_initial_s: Annotated[float, Field(gt=0, le=60)] = 1.0
    backoff_max_s: Annotated[float, Field(gt=0, le=600)] = 30.0
    hr: SensorSettings = SensorSettings()
    footpod: SensorSettings = SensorSettings()

    def enabled_roles(self) -> tuple[Role, ...]:
        """The sensor roles this daemon should expect, strap first."""
        wanted = ((Role.HR, self.hr.enabled), (Role.FOOTPOD, self.footpod.enabled))
        return tuple(role for role, enabled in wanted if enabled)


class MqttSettings(_Section):
    """The broker: where, who we are, and how the link is protected."""

    url: str = Field(default="mqtt://localhost:1883", description="mqtt:// or mqtts://")
    prefix: str = "hiitd"
    client_id: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    tls_insecure: bool = Field(
        default=False, description="skip certificate verification (testing only)"
    )
    keepalive_s: Annotated[int, Field(ge=5, le=3600)] = 30
    reconnect_initial_s: Annotated[float, Field(gt=0, le=60)] = 1.0
    reconnect_max_s: Annotated[float, Field(gt=0, le=3600)] = 60.0
    discovery_prefix: str = "homeassistant"

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"mqtt", "mqtts"} or not parts.hostname:
            raise ValueError("must look like mqtt://host:1883 or mqtts://host:8883")
        try:
            _ = parts.port
        except ValueError as exc:
            raise ValueError(f"bad port in {without_credentials(value)!r}") from exc
        if parts.username or parts.password:
            raise ValueError("put credentials in mqtt.username / mqtt.password_file, not the URL")
        return value

    @field_validator("prefix")
    @classmethod
    def _check_prefix(cls, value: str) -> str:
        if not value or any(c in value for c in "#+\0") or value.startswith("/"):
            raise ValueError("must be a plain topic prefix without wildcards, e.g. hiitd")
        return value.rstrip("/")

    @field_validator("ca_file", "cert_file", "key_file", "password_file")
    @classmethod
    def _check_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"file not found: {value}")
        return value

    @model_validator(mode="after")
    def _check_pairs(self) -> Self:
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("cert_file and key_file go together")
        if self.password is not None and self.password_file is not None:
            raise ValueError("give password or password_file, not both")
        return self

    @property
    def host(self) -> str:
        """The broker's host name."""
        return urlsplit(self.url).hostname or "localhost"

    @property
    def tls(self) -> bool:
        """Whether the link is TLS (``mqtts://``)."""
        return urlsplit(self.url).scheme == "mqtts"

    @property
    def port(self) -> int:
        """The broker's port (1883, or 8883 for mqtts)."""
        return urlsplit(self.url).port or (8883 if self.tls else 1883)

    def secret(self) -> str | None:
        """The password: from ``password``, ``password_file``, or systemd's credential."""
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_file is not None:
            return self.password_file.read_text(encoding="utf-8").strip()
        cred_dir = os.environ.get("CREDENTIALS_DIRECTORY")
        if cred_dir and (Path(cred_dir) / "mqtt_password").is_file():
            return (Path(cred_dir) / "mqtt_password").read_text(encoding="utf-8").strip()
        return None


def _default_state_dir() -> Path:
    # systemd's StateDirectory= sets STATE_DIRECTORY; a user run falls back to XDG.
    if env := os.environ.get("STATE_DIRECTORY"):
        return Path(env.split(":")[0])
    xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(xdg) / "hiitd"


class StorageSettings(_Section):
    """Where sessions, bindings and the outbox live."""

    state_dir: Path = Field(default_factory=_default_state_dir)
    sample_retention_days: Annotated[int, Field(ge=1)] | None = 365
    retention_start_delay_s: Annotated[float, Field(ge=0, le=86400)] = Field(
        3600.0,
        description=(
            "No pruning in the first hour after start: a Pi's clock may still step when "
            "NTP syncs (runtime/wall_clock.py)"
        ),
    )
    analysis_timeout_s: Annotated[float, Field(ge=1, le=3600)] = Field(
        60.0,
        description=(
            "The post-session analysis may take this long plus a minute per hour of "
            "session; a child that takes longer is killed (the bare result stands)"
        ),
    )
    import_dir: Path | None = Field(
        None,
        description=(
            "A folder the daemon watches for FIT activities recorded elsewhere (a watch, a "
            "phone): each new .fit file is imported as a session and moved to imported/, or "
            "to failed/ with <name>.error.txt; unset: no watched folder"
        ),
    )
    import_scan_s: Annotated[float, Field(ge=1, le=86400)] = Field(
        60.0, description="How often the import folder is scanned (and once at start)"
    )
    clock_sync_file: Path = Field(
        Path("/run/systemd/timesync/synchronized"),
        description=(
            "Exists once the wall clock is synchronised (systemd-timesyncd); its folder "
            "without it means not yet, neither means unknown"
        ),
    )


_LANGUAGE = re.compile(r"^[a-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")


class VoiceSettings(_Section):
    """Spoken cues through the Pi's sound card (docs/voice.md); off until configured."""

    enabled: bool = Field(
        default=False, description="Speak the cues (hiitd run); hiitd demo --voice turns it on"
    )
    engine: Literal["espeak-ng", "piper"] = Field(
        "espeak-ng", description="The speech engine: espeak-ng (Debian package) or piper"
    )
    output: str = Field(
        "default",
        min_length=1,
        description=(
            "An ALSA device as 'aplay -L' lists it ('default', 'plughw:CARD=Headphones,DEV=0', "
            "'bluealsa'), or 'file:DIR' for WAV files and DIR/utterances.jsonl"
        ),
    )
    rate: Annotated[int, Field(ge=80, le=450)] = Field(
        175, description="Words a minute (match coach.speech_wpm, the speech budget's rate)"
    )
    volume: Annotated[int, Field(ge=0, le=200)] = Field(
        100, description="% of the engine's normal loudness (espeak-ng's amplitude)"
    )
    language: str = Field("en", description="The voice's language, e.g. en, en-gb, de, fr")
    piper_model: Path | None = Field(
        None, description="engine = 'piper': the voice model (.onnx, its .onnx.json beside it)"
    )
    beeps: bool = Field(
        default=True,
        description="Countdown tones (3, 2, 1 and a long one) before each work step and the end",
    )
    stale_s: Annotated[float, Field(ge=1, le=30)] = Field(
        5.0, description="A cue that waited longer than this to be said is dropped (and logged)"
    )

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        if not _LANGUAGE.match(v):
            raise ValueError(f"{v!r} is not a language code like en, en-gb or de")
        return v

    @field_validator("output")
    @classmethod
    def _output(cls, v: str) -> str:
        v = v.strip()
        if v.startswith("file:") and not v[5:].strip():
            raise ValueError("'file:' needs a folder, e.g. file:/var/lib/hiitd/voice")
        if any(c.isspace() for c in v) and not v.startswith("file:"):
            raise ValueError(f"{v!r}: an ALSA device name has no spaces (see 'aplay -L')")
        return v

    @property
    def folder(self) -> Path | None:
        """The folder of a ``file:DIR`` output, else None."""
        return Path(self.output[5:]).expanduser() if self.output.startswith("file:") else None


class LogSettings(_Section):
    """Logging: JSON lines for journald, readable console on a terminal."""

    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class Settings(BaseSettings):
    """Everything hiitd can be told."""

    model_config = SettingsConfigDict(
        env_prefix="HIITD_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
        case_sensitive=False,
    )

    # default_factory, not a default instance: a default instance is built once at
    # import, which would freeze $STATE_DIRECTORY as it was then.
    athlete: AthleteSettings = Field(default_factory=AthleteSettings)
    ble: BleSettings = Field(default_factory=BleSettings)
    mqtt: MqttSettings = Field(default_factory=MqttSettings)
    coach: CoachConfig = Field(default_factory=CoachConfig)
    plan: PlanConfig = Field(default_factory=PlanConfig)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    log: LogSettings = Field(default_factory=LogSettings)

    @property
    def base_topic(self) -> str:
        """``<prefix>/<athlete_id>``: the root of every topic this daemon owns."""
        return f"{self.mqtt.prefix}/{self.athlete.id}"


def _error_key(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


# Keys whose values are secrets: never echoed, whatever went wrong.
_SECRET_KEY = re.compile(r"(password|secret|token|key_data)$")
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]*@")


def without_credentials(text: str) -> str:
    """``mqtt://user:pw@host`` -> ``mqtt://***@host``: a URL fit for a message or a log."""
    return _URL_CREDENTIALS.sub("***@", text)


def _shown(key: str, value: object) -> str:
    """What an error may say it got: never a secret, never a whole section (it holds them)."""
    if _SECRET_KEY.search(key):
        return ""
    if isinstance(value, dict | list | tuple | set):
        return ""
    return f" (got {without_credentials(repr(value))})"


def _known_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the settings section at ``loc[:-1]`` has (for "did you mean")."""
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        ann = None if field is None else field.annotation
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return []
        model = ann
    return list(model.model_fields)


def describe_validation_error(exc: ValidationError, source: str) -> str:
    """One message naming every bad key, what is wrong, and where it came from.

    The value given is repeated only when it is a plain value of a key that
    holds no secret: a section's error (its own input is the whole section,
    password included) and a secret's error say what is wrong, not what was
    given, and a URL's credentials are masked (docs/security.md).
    """
    lines = []
    for err in exc.errors():
        key = _error_key(err["loc"])
        if err["type"] == "extra_forbidden":
            near = difflib.get_close_matches(str(err["loc"][-1]), _known_keys(err["loc"]), n=1)
            hint = f"did you mean {near[0]!r}?" if near else "misspelt, or in the wrong section?"
            lines.append(f"{key}: unknown key ({hint})")
        else:
            msg = without_credentials(err["msg"].removeprefix("Value error, "))
            lines.append(f"{key}: {msg}{_shown(key, err.get('input'))}")
    return f"invalid configuration ({source}):\n  " + "\n  ".join(lines)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from the file, the environment and ``overrides``.

    Raises ConfigError with one message naming each bad key.
    """
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"config file not found: {config_file}")
    toml_file = config_file or (DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None)

    class _Loaded(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
            file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
            if toml_file is not None:
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
            return tuple(sources)

    source = f"{toml_file} + HIITD_* environment" if toml_file else "HIITD_* environment"
    try:
        return _Loaded(**overrides)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, source)) from exc
    except (OSError, ValueError) as exc:  # unreadable file, TOML syntax error
        raise ConfigError(f"cannot read configuration {toml_file}: {exc}") from exc


def warnings(settings: Settings) -> list[str]:
    """What is allowed but unsafe: said at start-up (log) and by ``config check``."""
    said = []
    mqtt = settings.mqtt
    has_password = mqtt.password is not None or mqtt.password_file is not None
    if has_password and not mqtt.tls:
        said.append(
            "mqtt.password is sent in clear text over mqtt://: use mqtts:// (TLS) unless the "
            "broker is on this machine or a network you trust"
        )
    if mqtt.tls_insecure:
        said.append(
            "mqtt.tls_insecure skips the broker's certificate check: anyone on the network "
            "can pose as the broker and read the password (testing only)"
        )
    return said


def redacted(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, secrets masked (for ``config check``)."""
    data: dict[str, Any] = settings.model_dump(mode="json")
    if settings.mqtt.password is not None:
        data["mqtt"]["password"] = "**********"  # noqa: S105 - a mask, not a password
    return data
