"""Home Assistant: the discovery message against HA's own code, and HA driving the daemon.

The discovery document is validated by Home Assistant itself (``ha_check.py``
run in a Python 3.13 virtual environment with ``homeassistant`` pinned below),
not by a copy of its schemas. The environment is made once and cached in
``.ha-venv`` (or ``$HIITD_HA_VENV``); Python 3.13 is found on PATH, through
pyenv, or at ``$HIITD_HA_PYTHON``. Under ``CI=true`` a missing Python 3.13 or a
failed install fails these tests (``./dev`` installs 3.13 with pyenv); elsewhere
they skip, saying why.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from hiitd.coach.events import CueKind

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .conftest import Mosquitto, Received, SubscriberFactory

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CHECKER = Path(__file__).with_name("ha_check.py")
# 2025.1 is the newest release line whose install needs nothing newer than Python 3.13
# and still validates templates without a running core; paho-mqtt as its MQTT manifest pins.
HA_REQUIREMENTS = ("homeassistant==2025.1.4", "paho-mqtt==1.6.1")
HA_VENV = Path(os.environ.get("HIITD_HA_VENV", ROOT / ".ha-venv"))
HA_INSTALL_TIMEOUT_S = 900  # about 80 s on a fast link; a slow mirror gets room
IN_CI = os.environ.get("CI", "").lower() == "true"

BASE = "hiitd/athlete"
DISCOVERY = "homeassistant/device/hiitd_athlete/config"


def _missing(why: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and {why}; ./dev must provide it", pytrace=False)
    pytest.skip(why)


def _python313() -> str | None:
    """A working Python 3.13: $HIITD_HA_PYTHON, a pyenv build, or one on PATH."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [
        os.environ.get("HIITD_HA_PYTHON"),
        *(str(p) for p in sorted(pyenv_root.glob("versions/3.13*/bin/python3.13"), reverse=True)),
        shutil.which("python3.13"),  # may be a pyenv shim that is not activated: tried last
    ]
    for python in filter(None, candidates):
        probe = [python, "-c", "import sys; assert sys.version_info[:2] == (3, 13)"]
        if subprocess.run(probe, capture_output=True, check=False).returncode == 0:
            return python
    return None


@pytest.fixture(scope="session")
def ha_python() -> Path:
    """The Python of a venv with Home Assistant installed (made once, under a file lock)."""
    python = _python313()
    if python is None:
        _missing("Python 3.13 (for Home Assistant 2025.1) is not installed; pyenv install 3.13")
    HA_VENV.parent.mkdir(parents=True, exist_ok=True)
    stamp, want = HA_VENV / ".hiitd-requirements", "\n".join(HA_REQUIREMENTS)
    with Path(f"{HA_VENV}.lock").open("w") as lock:
        # Parallel test runs (xdist, two checkouts sharing $HIITD_HA_VENV) build it once.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.is_file() and stamp.read_text(encoding="utf-8") == want):
            shutil.rmtree(HA_VENV, ignore_errors=True)
            began = time.monotonic()
            try:
                subprocess.run(
                    [python, "-m", "venv", str(HA_VENV)], check=True, capture_output=True
                )
                pip = [str(HA_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
                subprocess.run(
                    [*pip, *HA_REQUIREMENTS],
                    check=True,
                    capture_output=True,
                    timeout=HA_INSTALL_TIMEOUT_S,
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                err = (exc.stderr or b"").decode(errors="replace")[-2000:]
                _missing(f"installing {' '.join(HA_REQUIREMENTS)} failed: {err}")
            stamp.write_text(want, encoding="utf-8")
            sys.stderr.write(f"\nhome assistant venv made in {time.monotonic() - began:.0f} s\n")
    return HA_VENV / "bin" / "python"


def ha_check(python: Path, topic: str, payload: bytes, samples: dict[str, list[Any]]) -> Any:
    """Home Assistant's verdict on one device message (see ha_check.py)."""
    request = {
        "discovery_prefix": "homeassistant",
        "topic": topic,
        "payload": payload.decode(),
        "samples": samples,
    }
    done = subprocess.run(
        [str(python), str(CHECKER)],
        input=json.dumps(request).encode(),
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return json.loads(done.stdout)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIITD_")}
    env |= {"STATE_DIRECTORY": str(tmp_path / "state"), "HIITD_LOG__FORMAT": "json"}
    env |= {"HIITD_ATHLETE__MAX_HR": "190", "HIITD_ATHLETE__THRESHOLD_PACE": "4:16"}
    return env | extra


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "hiitd", *args],
        env=_env(tmp_path),
        capture_output=True,
        check=False,
        timeout=60,
    )


@pytest.fixture
def published(tmp_path: Path) -> dict[str, Any]:
    """What ``hiitd ha discovery --json`` says the daemon publishes."""
    done = _cli(tmp_path, "ha", "discovery", "--json")
    assert done.returncode == 0, done.stderr.decode()
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


HR = [
    {"ts": 1.0, "bpm": 148, "rr_ms": [405.3], "contact": True, "battery": 87},
    {"ts": 2.0, "bpm": None, "rr_ms": [], "contact": False, "battery": None},
]
POD = [
    {"ts": 1.0, "speed_mps": 3.5, "pace_s_per_km": 285.7, "cadence_spm": 172.0,
     "stride_m": 1.22, "distance_m": 100.0, "battery": 50},
    {"ts": 2.0, "speed_mps": 0.2, "pace_s_per_km": None, "cadence_spm": None,
     "stride_m": None, "distance_m": None, "battery": None},
]  # fmt: skip
STATE = [
    {"ts": 1.0, "state": "idle", "workout": None, "step": None, "zone": "none",
     "elapsed_s": 0.0, "distance_m": None},
    {"ts": 2.0, "state": "running", "workout": "norwegian-4x4", "zone": "below",
     "step": {"index": 1, "count": 10, "name": "Work 1", "intensity": "active",
              "remaining_s": 170.5, "label": "Interval 1 of 4"},
     "elapsed_s": 610.0, "distance_m": 2345.6},
]  # fmt: skip
RESULT = [{"ts": 3.0, "session_id": "s1", "workout": "norwegian-4x4", "end_wall": 1764180000.5,
           "calories_kcal": 612.4, "trimp": 93.1, "avg_hr": 151.0, "compliance_pct": 64.2,
           "compliance": {"scope": "work", "scored_s": 840.0, "in_pct": 64.2, "below_pct": 5.8,
                          "above_pct": 30.0, "work_steps": 4, "unscored_work_steps": 0,
                          "unscored": []}},
          {"ts": 4.0, "session_id": "s2", "workout": "tabata", "end_wall": 1764190000.0,
           "compliance_pct": None,
           "compliance": {"scope": "work", "scored_s": 0.0, "in_pct": None, "below_pct": None,
                          "above_pct": None, "work_steps": 0, "unscored_work_steps": 8,
                          "unscored": ["no target: run by feel"]}}]  # fmt: skip


CHECKIN = [
    {"ts": 4.0, "state": "measuring", "started": 3.0, "duration_s": 120.0, "remaining_s": 95.0,
     "beats": 23, "hr": 54},
    {"ts": 5.0, "state": "done", "started": 3.0, "duration_s": 120.0, "day": "2025-11-26",
     "resting_hr": 52.4, "rmssd_ms": 61.2, "ln_rmssd": 4.114, "beats": 104, "artefact_pct": 0.0,
     "readiness": "green", "flags": []},
    {"ts": 6.0, "state": "failed", "started": 5.5, "duration_s": 120.0, "beats": 12,
     "error": "beats cover only 12 of 120 s"},
]  # fmt: skip


def _samples() -> dict[str, list[Any]]:
    return {
        f"{BASE}/hr": HR,
        f"{BASE}/footpod": POD,
        f"{BASE}/session/state": STATE,
        f"{BASE}/session/result": RESULT,
        f"{BASE}/plan/checkin": CHECKIN,
    }


@pytest.mark.timeout(HA_INSTALL_TIMEOUT_S + 60)
def test_discovery_passes_home_assistants_own_validation(
    ha_python: Path, published: dict[str, Any]
) -> None:
    """HA accepts the device and every component, and its templates render our messages."""
    payload = json.dumps(published["payload"]).encode()
    verdict = ha_check(ha_python, published["topic"], payload, _samples())
    assert verdict["ha_version"] == HA_REQUIREMENTS[0].split("==")[1]
    assert verdict["errors"] == []
    components = verdict["components"]
    assert set(components) == set(published["payload"]["components"])

    def values(key: str) -> list[str | None]:
        rendered: list[str | None] = components[key]["rendered"]["value_template"]
        return rendered

    assert values("heart_rate") == ["148", "None"], "no contact is unknown, never 0"
    assert values("speed") == ["12.6", "0.72"]
    assert values("pace") == ["4.76", "None"], "still: no pace"
    assert values("distance") == ["None", "2.346"]
    assert values("step_remaining") == ["None", "170.5"]
    assert values("interval") == ["None", "Interval 1 of 4"]
    assert values("workout") == ["None", "norwegian-4x4"]
    assert values("last_session") == [
        "2025-11-26 18:00:00.500000+00:00",
        "2025-11-26 20:46:40+00:00",
    ]
    attributes = json.loads(components["last_session"]["rendered"]["json_attributes_template"][0])
    assert attributes["calories_kcal"] == 612.4
    assert attributes["trimp"] == 93.1
    assert attributes["compliance_pct"] == 64.2
    # The work-step headline, with its split; a session all by feel says why, not 100 %.
    assert values("work_in_target") == ["64.2", "None"]
    work = components["work_in_target"]["rendered"]["json_attributes_template"]
    assert json.loads(work[0])["above_pct"] == 30.0
    assert json.loads(work[1])["unscored"] == ["no target: run by feel"]
    assert values("checkin") == ["measuring", "done", "failed"]
    # While measuring (and after a failure) the last stored figures stay: HA ignores "".
    assert values("resting_hr") == ["", "52.4", ""]
    assert values("ln_rmssd") == ["", "4.114", ""]
    checkin = components["checkin"]["rendered"]["json_attributes_template"]
    assert json.loads(checkin[0])["remaining_s"] == 95.0
    assert json.loads(checkin[2])["error"] == "beats cover only 12 of 120 s"


@pytest.mark.timeout(HA_INSTALL_TIMEOUT_S + 60)
def test_the_checker_reports_what_home_assistant_would_reject(
    ha_python: Path, published: dict[str, Any]
) -> None:
    """A bad unit, an option HA would drop, a broken template and a missing origin are caught."""
    doc = copy.deepcopy(published["payload"])
    doc["components"]["pace"]["device_class"] = "speed"  # min/km is no HA speed unit
    doc["components"]["cadence"]["unit_of_measurment"] = "spm"
    doc["components"]["zone"]["value_template"] = "{{ value_json.zone "
    verdict = ha_check(ha_python, published["topic"], json.dumps(doc).encode(), _samples())
    errors = "\n".join(verdict["errors"])
    assert "min/km" in errors
    assert "unit_of_measurment" in errors
    assert "zone" in errors
    del doc["origin"]
    verdict = ha_check(ha_python, published["topic"], json.dumps(doc).encode(), {})
    assert any("origin" in e for e in verdict["errors"])


def _body(m: Received) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(m.payload)
    return doc


@contextlib.contextmanager
def _daemon(tmp_path: Path, broker: Mosquitto) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hiitd", "run", "--simulate"],
        env=_env(tmp_path, HIITD_MQTT__URL=broker.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err.decode()[-3000:]


@pytest.mark.timeout(HA_INSTALL_TIMEOUT_S + 120)
async def test_home_assistant_sees_presses_and_restarts(
    ha_python: Path, mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """Discovery is retained; select + start + pause drive the session; HA's birth re-publishes."""
    import aiomqtt  # noqa: PLC0415 - the test plays Home Assistant

    with _daemon(tmp_path, mosquitto):
        async with (
            mqtt_subscriber(mosquitto, "#") as sub,
            aiomqtt.Client(mosquitto.host, mosquitto.port) as ha,
        ):
            first = await sub.wait_for(topic=DISCOVERY, timeout=20)
            await sub.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=10)
            async with mqtt_subscriber(mosquitto, DISCOVERY) as late:
                kept = await late.wait_for(topic=DISCOVERY)
            assert kept.retain, "the device message is retained"
            assert kept.payload == first.payload
            components = _body(first)["components"]

            select = components["workout"]
            assert "gibala-10x60" in select["options"]
            await ha.publish(select["command_topic"], b"gibala-10x60", qos=1)
            start = components["start"]
            await ha.publish(start["command_topic"], start["payload_press"].encode(), qos=1)
            await sub.wait_for(
                topic=f"{BASE}/session/state",
                match=lambda m: (
                    _body(m)["state"] == "running" and _body(m)["workout"] == "gibala-10x60"
                ),
                timeout=20,
            )
            pause = components["pause"]
            await ha.publish(pause["command_topic"], pause["payload_press"].encode(), qos=1)
            await sub.wait_for(
                topic=f"{BASE}/session/state", match=lambda m: _body(m)["state"] == "paused"
            )

            mark = len(sub.messages)

            def newer(topic: str) -> Callable[[Received], bool]:
                # By identity: a re-published message is equal to the first one.
                return lambda m: m.topic == topic and any(m is x for x in sub.messages[mark:])

            await ha.publish("homeassistant/status", b"online", qos=1)
            again = await sub.wait_for(match=newer(DISCOVERY))
            assert again.payload == first.payload
            mark = next(i for i, m in enumerate(sub.messages) if m is again)
            await sub.wait_for(match=newer(f"{BASE}/session/state"))
            await sub.wait_for(match=newer(f"{BASE}/hr/availability"))  # every held value

            stop = components["stop"]
            await ha.publish(stop["command_topic"], stop["payload_press"].encode(), qos=1)
            await sub.wait_for(topic=f"{BASE}/session/result", timeout=20)
            chart = await sub.wait_for(topic=f"{BASE}/session/chart", timeout=60)
            assert chart.payload.startswith(b"\x89PNG"), "the image entity gets the PNG"

    cues = [_body(m) for m in sub.on(f"{BASE}/session/cue")]
    assert cues, "the session spoke"
    assert all(c["event_type"] == c["kind"] in {k.value for k in CueKind} for c in cues)
    replies = [_body(m) for m in sub.on(f"{BASE}/cmd/result")]
    assert [r["ok"] for r in replies] == [True] * len(replies), replies

    # The daemon's own messages, rendered by Home Assistant's templates.
    topics = ("hr", "footpod", "session/state", "session/result")
    samples = {f"{BASE}/{t}": [_body(m) for m in sub.on(f"{BASE}/{t}")][-20:] for t in topics}
    verdict = ha_check(ha_python, DISCOVERY, first.payload, samples)
    assert verdict["errors"] == []
    assert any(
        v != "None" for v in verdict["components"]["heart_rate"]["rendered"]["value_template"]
    )


async def test_ha_remove_clears_the_device(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """`hiitd ha remove` replaces the retained device message with an empty one."""
    import aiomqtt  # noqa: PLC0415

    async with aiomqtt.Client(mosquitto.host, mosquitto.port) as client:
        await client.publish(DISCOVERY, b'{"device": {}}', qos=1, retain=True)
    async with mqtt_subscriber(mosquitto, DISCOVERY) as sub:
        await sub.wait_for(topic=DISCOVERY, payload=b'{"device": {}}')
        done = _cli(tmp_path, "ha", "remove", "--broker", mosquitto.url, "--json")
        assert done.returncode == 0, done.stderr.decode()
        assert json.loads(done.stdout) == {"topic": DISCOVERY, "removed": True}
        await sub.wait_for(topic=DISCOVERY, payload=b"")
    async with mqtt_subscriber(mosquitto, DISCOVERY) as late:
        with pytest.raises(AssertionError):
            await late.wait_for(topic=DISCOVERY, timeout=1.0)


def test_ha_remove_names_an_unreachable_broker(tmp_path: Path) -> None:
    """With no broker, `hiitd ha remove` fails with the reason instead of hanging."""
    done = _cli(tmp_path, "ha", "remove", "--broker", "mqtt://127.0.0.1:9")
    assert done.returncode == 69
    assert b"hiitd:" in done.stderr
