"""The live readiness check-in through the real daemon, a real mosquitto and ``hiitd checkin``.

The daemon runs the simulated athlete (resting HR 55, breathing-driven sinus
arrhythmia and beat-to-beat noise) on a clock 20 times faster, so a 3-minute
check-in takes 9 s.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import aiomqtt
import pytest
from daemon_rig import BASE, Daemon, body, daemon_env

from hiitd.store.db import Store

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, Received, SubscriberFactory

pytestmark = pytest.mark.integration

SPEED = "20"
SIM_RESTING_HR = 55  # HIITD_ATHLETE__RESTING_HR below: the simulated runner's too
CHECKIN = f"{BASE}/plan/checkin"
RESULT = f"{BASE}/cmd/result"


def _ended(request_id: str) -> Any:
    def match(m: Received) -> bool:
        doc = body(m.payload)
        return doc.get("id") == request_id and doc["state"] in {"done", "failed", "cancelled"}

    return match


def _reply(request_id: str, *, final: bool) -> Any:
    return lambda m: (
        body(m.payload).get("id") == request_id and ("state" in body(m.payload)) == final
    )


async def _cli(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = daemon_env(tmp_path / "cli-state", url)
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "hiitd", "checkin", "--live", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_a_live_check_in_is_measured_stored_and_refused_during_a_session(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """cmd/checkin at rest stores plausible figures, refreshes plan/next; a session refuses it."""
    daemon = Daemon(
        tmp_path,
        mosquitto.url,
        env={"HIITD_ATHLETE__RESTING_HR": str(SIM_RESTING_HR)},
        args=("run", "--simulate", "--speed", SPEED),
    ).start()
    try:
        async with (
            mqtt_subscriber(mosquitto, f"{BASE}/#") as sub,
            aiomqtt.Client(mosquitto.host, mosquitto.port) as phone,
        ):
            await sub.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=15)
            await sub.wait_for(topic=f"{BASE}/plan/next", timeout=15)
            plans_before = len(sub.on(f"{BASE}/plan/next"))

            await phone.publish(f"{BASE}/cmd/checkin", b'{"duration_s": 180, "id": "c1"}', qos=1)
            accepted = body(
                (await sub.wait_for(topic=RESULT, match=_reply("c1", final=False))).payload
            )
            assert accepted["ok"] is True, accepted
            done = body((await sub.wait_for(topic=CHECKIN, match=_ended("c1"), timeout=60)).payload)
            final = body((await sub.wait_for(topic=RESULT, match=_reply("c1", final=True))).payload)
            await sub.wait_for(
                topic=f"{BASE}/plan/next",
                match=lambda m: body(m.payload)["ts"] >= done["ts"],
                timeout=10,
            )
            measuring = [
                body(m.payload)
                for m in sub.on(CHECKIN)
                if body(m.payload).get("id") == "c1" and body(m.payload)["state"] == "measuring"
            ]

            # The CLI: the same through `hiitd checkin --live`, as JSON. Every check-in
            # here is 3 minutes: the simulated strap's beat noise is Gaussian (4 % of the
            # RR, beat by beat), and its tail beats are artefacts to Lipponen & Tarvainen's
            # detector (metrics/hrv.py), as to NeuroKit2's. Over 1,000 windows of that beat
            # model, more than 5 % artefacts (check-in refused) came in 8 of 83 beats
            # (90 s), 5 of 110 (2 min) and 1 of 165 (3 min); three check-ins of 90-120 s
            # failed this test about 1 run in 50, which CI cannot afford.
            cli = await _cli(tmp_path, mosquitto.url, "--duration", "180", "--json")
            assert cli.returncode == 0, cli.stderr
            cli_doc = json.loads(cli.stdout)
            text = await _cli(tmp_path, mosquitto.url, "--duration", "180")
            assert text.returncode == 0, text.stderr

            # A session starts: a check-in under way is cancelled, saying so.
            await phone.publish(f"{BASE}/cmd/checkin", b'{"id": "c2"}', qos=1)
            await sub.wait_for(topic=RESULT, match=_reply("c2", final=False))
            # "next": the plan's recommendation, as Home Assistant's "Start next session" sends.
            await phone.publish(f"{BASE}/cmd/start", b"next", qos=1)
            cancelled = body((await sub.wait_for(topic=CHECKIN, match=_ended("c2"))).payload)
            running = await sub.wait_for(
                topic=f"{BASE}/session/state",
                match=lambda m: body(m.payload)["state"] in {"countdown", "running"},
            )
            recommended = body(sub.on(f"{BASE}/plan/next")[-1].payload)["workout"]
            # ... and while it runs, a check-in is refused (MQTT and the CLI alike).
            await phone.publish(f"{BASE}/cmd/checkin", b'{"id": "c3"}', qos=1)
            refused = body(
                (await sub.wait_for(topic=RESULT, match=_reply("c3", final=False))).payload
            )
            during = await _cli(tmp_path, mosquitto.url)
            await phone.publish(f"{BASE}/cmd/stop", b"", qos=1)
        assert daemon.alive()
    finally:
        status = daemon.stop()
    assert status == 0, daemon.output()[-3000:]

    assert done["state"] == "done", done
    assert final["ok"] is True
    assert len(measuring) >= 180 / 5 - 2, "a countdown about every 5 s of the daemon's clock"
    assert measuring[0]["remaining_s"] == 180.0
    assert all(m["hr"] is None or 50 <= m["hr"] <= 60 for m in measuring)
    assert abs(done["resting_hr"] - SIM_RESTING_HR) <= 2.0, done
    assert 3.8 <= done["ln_rmssd"] <= 4.9, "a fit runner at rest: RMSSD about 45-135 ms"
    assert done["artefact_pct"] <= 5.0
    assert 150 <= done["beats"] <= 180, "55 bpm for 3 minutes"
    assert done["readiness"] == "unknown", "one check-in is no baseline yet"
    assert len(sub.on(f"{BASE}/plan/next")) > plans_before, "plan/next republished"

    assert cli_doc["state"] == "done"
    assert cli_doc["duration_s"] == 180.0
    assert abs(cli_doc["resting_hr"] - SIM_RESTING_HR) <= 3.0
    lines = text.stdout.splitlines()
    assert lines[0].startswith("check-in: sit or lie still")
    assert any(line.startswith("measuring: ") for line in lines)
    # The day is the check-in's own local day: the MQTT check-in above may have been
    # measured just before midnight and this one just after (CI failed so once).
    said = re.match(r"check-in (\d{4}-\d{2}-\d{2}): resting HR 5\d bpm", lines[-1])
    assert said is not None, lines[-1]
    assert said.group(1) >= done["day"], (said.group(1), done["day"])
    assert "lnRMSSD" in lines[-1]
    assert "readiness: unknown" in lines[-1]

    assert recommended is not None
    assert recommended.startswith("plan-")
    assert body(running.payload)["workout"] == recommended
    assert cancelled["state"] == "cancelled"
    assert cancelled["error"] == "check-in cancelled: a session was started"
    assert refused["ok"] is False
    assert "a session is running" in refused["error"]
    assert during.returncode == 1
    assert "a session is running" in during.stderr

    with Store.open(daemon.state_dir) as store:
        rows = store.checkins("2000-01-01")
    assert [r.source for r in rows] == ["live", "live", "live"], "cancelled ones are not kept"
    assert rows[0].ln_rmssd == pytest.approx(done["ln_rmssd"], abs=1e-3)
    print(  # noqa: T201 - the figures for the issue's closing note (pytest -s)
        f"simulated resting HR {SIM_RESTING_HR}: measured {done['resting_hr']} bpm, "
        f"RMSSD {done['rmssd_ms']} ms, lnRMSSD {done['ln_rmssd']}, {done['beats']} beats, "
        f"artefacts {done['artefact_pct']} %; CLI 180 s: {cli_doc['resting_hr']} bpm, "
        f"lnRMSSD {cli_doc['ln_rmssd']}"
    )


async def test_checkin_live_says_when_no_daemon_or_broker_answers(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """No daemon behind the broker, or no broker at all: exit 69 with what to check."""
    async with aiomqtt.Client(mosquitto.host, mosquitto.port) as will:
        await will.publish(f"{BASE}/status", b"offline", qos=1, retain=True)
    offline = await _cli(tmp_path, mosquitto.url)
    async with aiomqtt.Client(mosquitto.host, mosquitto.port) as clear:
        await clear.publish(f"{BASE}/status", b"", qos=1, retain=True)
    silent = await _cli(tmp_path, mosquitto.url)
    port = mosquitto.port
    mosquitto.stop()
    no_broker = await _cli(tmp_path, f"mqtt://127.0.0.1:{port}")

    assert offline.returncode == 69
    assert "offline" in offline.stderr
    assert "hiitd run" in offline.stderr
    assert silent.returncode == 69
    assert "no daemon answered" in silent.stderr
    assert no_broker.returncode == 69
    assert "127.0.0.1" in no_broker.stderr
