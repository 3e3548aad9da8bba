"""``hiitd doctor``: is this Pi ready to coach? Each check passes or says how to fix it.

Checks, in the order a newcomer meets them: BlueZ on the system bus, the adapter
present and powered, rfkill, the daemon's user and its groups, the state
directory, the clock, the broker (with the configured login and TLS), the daemon
itself, the sensors (from the running daemon when it runs, since a connected
strap stops advertising; else bound and seen in a short scan), the profile
against the workout catalogue, the voice (when enabled) and Home Assistant's
discovery. Exit status 0 only when every check passes (one that does not apply,
``skip``, is not a failure).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

from hiitd.cli.cli_support import EX_FAILURE, EX_OK, print_json, settings_from_args

if TYPE_CHECKING:
    import argparse

    from hiitd.settings import Settings

Status = Literal["ok", "fail", "skip"]
DAEMON_USER = "hiitd"
SCAN_S = 4.0


@dataclass(frozen=True, slots=True)
class Check:
    """One answer: ``name``, ``status``, what was found, and the one-line fix."""

    name: str
    status: Status
    detail: str
    fix: str = ""


def cmd_doctor(args: argparse.Namespace) -> int:
    """Run every check; text or ``--json``; exit 0 only when none failed."""
    settings = settings_from_args(args)
    checks = asyncio.run(run_checks(settings, scan_s=args.scan_timeout))
    if args.json:
        print_json(
            {"ok": all(c.status != "fail" for c in checks), "checks": [asdict(c) for c in checks]}
        )
    else:
        for c in checks:
            sys.stdout.write(f"{c.status:4}  {c.name:15} {c.detail}\n")
            if c.status == "fail" and c.fix:
                sys.stdout.write(f"{'':21}fix: {c.fix}\n")
    return EX_OK if all(c.status != "fail" for c in checks) else EX_FAILURE


async def run_checks(settings: Settings, *, scan_s: float = SCAN_S) -> list[Check]:
    """Every check, in order."""
    out = await _radio(settings)
    out.append(_user(settings))
    out.append(_state_dir(settings))
    out.append(_clock(settings))
    broker, retained = await _broker(settings)
    out.append(broker)
    out.append(_daemon(settings, broker, retained))
    out.extend(await _sensors(settings, retained, radio_ok=out[1].status == "ok", scan_s=scan_s))
    out.append(_profile(settings))
    out.append(_voice(settings))
    out.append(_home_assistant(settings, broker, retained))
    return out


# ------------------------------------------------------------------ the radio


async def _radio(settings: Settings) -> list[Check]:
    from hiitd_drivers.ble.adapter_check import radio_state, rfkill_blocked  # noqa: PLC0415

    adapter = settings.ble.adapter or "hci0"
    state = await radio_state(adapter)
    out: list[Check] = []
    if state.error is not None:
        out.append(
            Check(
                "bluez",
                "fail",
                f"cannot reach the system D-Bus: {state.error}",
                "sudo systemctl start dbus bluetooth",
            )
        )
    elif not state.bluez:
        out.append(
            Check(
                "bluez",
                "fail",
                "BlueZ (bluetoothd) is not running",
                "sudo apt-get install -y bluez && sudo systemctl enable --now bluetooth",
            )
        )
    else:
        out.append(Check("bluez", "ok", "BlueZ is running"))
    if not state.bluez:
        out.append(Check("adapter", "skip", "no BlueZ to ask"))
    elif adapter not in state.adapters:
        found = ", ".join(state.adapters) or "none"
        out.append(
            Check(
                "adapter",
                "fail",
                f"no adapter {adapter} (found: {found})",
                "check ble.adapter, or plug in a Bluetooth 4.0+ USB dongle",
            )
        )
    elif not state.powered:
        out.append(
            Check(
                "adapter",
                "fail",
                f"{adapter} is powered off",
                "bluetoothctl power on (and sudo rfkill unblock bluetooth)",
            )
        )
    else:
        out.append(Check("adapter", "ok", f"{adapter} is present and powered"))
    blocked = rfkill_blocked()
    if blocked:
        out.append(
            Check(
                "rfkill",
                "fail",
                f"Bluetooth blocked ({', '.join(blocked)})",
                "sudo rfkill unblock bluetooth (a hard block is a switch or the firmware)",
            )
        )
    else:
        out.append(Check("rfkill", "ok", "Bluetooth is not blocked"))
    return out


# ------------------------------------------------------------ user and files


def _user(settings: Settings) -> Check:
    import grp  # noqa: PLC0415 - Unix only, as hiitd is
    import pwd  # noqa: PLC0415

    try:
        pwd.getpwnam(DAEMON_USER)
    except KeyError:
        return Check(
            "user",
            "skip",
            f"no system user {DAEMON_USER!r} (not installed as a service)",
            "sudo ./dev install",
        )
    wanted = ["bluetooth"] + (["audio"] if settings.voice.enabled else [])
    missing = []
    for name in wanted:
        try:
            if DAEMON_USER not in grp.getgrnam(name).gr_mem:
                missing.append(name)
        except KeyError:
            missing.append(name)
    if missing:
        return Check(
            "user",
            "fail",
            f"{DAEMON_USER} is not in group {', '.join(missing)}",
            f"sudo usermod -aG {','.join(missing)} {DAEMON_USER} (or sudo ./dev install)",
        )
    return Check("user", "ok", f"{DAEMON_USER} is in group {', '.join(wanted)}")


def _state_dir(settings: Settings) -> Check:
    path = settings.storage.state_dir
    if not path.is_dir():
        return Check(
            "state_dir",
            "fail",
            f"{path} does not exist",
            "sudo ./dev install (or set storage.state_dir)",
        )
    if os.access(path, os.W_OK):
        return Check("state_dir", "ok", f"{path} is writable")
    if os.access(path, os.R_OK | os.X_OK):
        return Check("state_dir", "ok", f"{path} is readable (the daemon writes it)")
    return Check(
        "state_dir",
        "fail",
        f"cannot read {path}",
        "sudo ./dev install --add-user $USER, then log in again",
    )


def _clock(settings: Settings) -> Check:
    from hiitd.runtime.wall_clock import Sync, sync_state  # noqa: PLC0415

    state = sync_state(settings.storage.clock_sync_file)
    if state is Sync.SYNCHRONIZED:
        return Check("clock", "ok", "the clock is synchronised")
    if state is Sync.UNKNOWN:
        return Check("clock", "skip", "cannot tell (no systemd-timesyncd)")
    return Check(
        "clock",
        "fail",
        "the clock is not synchronised yet (sessions get wrong dates)",
        "sudo timedatectl set-ntp true; check the network",
    )


# ------------------------------------------------------------ the broker


async def _broker(settings: Settings) -> tuple[Check, dict[str, bytes]]:
    from hiitd.errors import MqttError  # noqa: PLC0415
    from hiitd.mqtt.discovery import config_topic  # noqa: PLC0415
    from hiitd.mqtt.oneshot import read_retained  # noqa: PLC0415
    from hiitd.mqtt.topics import Topics  # noqa: PLC0415
    from hiitd_drivers.samples import Role  # noqa: PLC0415

    t = Topics(settings.mqtt.prefix, settings.athlete.id)
    wanted = [
        t.status,
        t.diagnostics,
        *(t.availability(r) for r in Role),
        config_topic(settings.mqtt.discovery_prefix, settings.athlete.id),
    ]
    try:
        retained = await read_retained(settings.mqtt, wanted)
    except MqttError as exc:
        reason, _, advice = str(exc).partition("; ")
        return Check("broker", "fail", f"{settings.mqtt.url}: {reason}", advice), {}
    how = "TLS" if settings.mqtt.tls else "no TLS"
    login = f"as {settings.mqtt.username}" if settings.mqtt.username else "without a login"
    return Check("broker", "ok", f"{settings.mqtt.url} answers ({login}, {how})"), retained


def _daemon(settings: Settings, broker: Check, retained: dict[str, bytes]) -> Check:
    if broker.status != "ok":
        return Check("daemon", "skip", "no broker to ask")
    status = retained.get(f"{settings.base_topic}/status")
    if status == b"online":
        return Check("daemon", "ok", "hiitd is running (status online)")
    said = "offline" if status == b"offline" else "never seen on this broker"
    return Check(
        "daemon",
        "fail",
        f"hiitd is not running ({said})",
        "sudo systemctl enable --now hiitd; journalctl -u hiitd",
    )


async def _sensors(
    settings: Settings, retained: dict[str, bytes], *, radio_ok: bool, scan_s: float
) -> list[Check]:
    from hiitd.store.bindings_file import effective  # noqa: PLC0415

    roles = settings.ble.enabled_roles()
    bound = effective(settings)
    running = retained.get(f"{settings.base_topic}/status") == b"online"
    seen: set[str] | None = None
    out: list[Check] = []
    for role in roles:
        b = bound.get(role)
        label = "strap" if role.value == "hr" else "footpod"
        name = f"sensor_{role.value}"
        what = (b.address or b.name) if b is not None and not b.empty else None
        if running:
            live = retained.get(f"{settings.base_topic}/{role.value}/availability")
            if live == b"online":
                out.append(Check(name, "ok", f"the {label} is connected to the daemon"))
            else:
                out.append(
                    Check(
                        name,
                        "fail",
                        f"the daemon has no {label} connected",
                        f"wake the {label} (strap: wear it; footpod: shake it) near the Pi",
                    )
                )
            continue
        if what is None:
            out.append(
                Check(
                    name,
                    "fail",
                    f"no {label} bound",
                    "wear/wake it, then: sudo -u hiitd hiitd pair",
                )
            )
            continue
        if not radio_ok:
            out.append(Check(name, "skip", f"bound to {what}; no radio to scan with"))
            continue
        if seen is None:
            seen = await _scan(settings, scan_s)
        if what in seen:
            out.append(Check(name, "ok", f"bound to {what}, advertising"))
        else:
            out.append(
                Check(
                    name,
                    "fail",
                    f"bound to {what}, not seen in {scan_s:g} s",
                    f"wake the {label}; a {label} connected to a watch or phone stays silent",
                )
            )
    return out


async def _scan(settings: Settings, seconds: float) -> set[str]:
    from hiitd_drivers.ble.scanner import scan  # noqa: PLC0415

    try:
        results = await scan(adapter=settings.ble.adapter, timeout_s=seconds)
    except Exception:  # noqa: BLE001 - a failed scan is "not seen", the radio checks said why
        return set()
    return {r.address for r in results} | {r.name for r in results if r.name}


# ------------------------------------------------------------ what it coaches


def _profile(settings: Settings) -> Check:
    from hiitd.coach.profile import profile_from_settings  # noqa: PLC0415
    from hiitd.coach.resolve import resolve_workout  # noqa: PLC0415
    from hiitd.errors import HiitdError  # noqa: PLC0415
    from hiitd.workouts.library import builtin_workouts  # noqa: PLC0415

    profile = profile_from_settings(settings.athlete)
    refused: dict[str, list[str]] = {}
    workouts = builtin_workouts()
    for w in workouts:
        try:
            resolve_workout(w, profile)
        except HiitdError as exc:
            # its message ends '...: a pace target needs a threshold pace: set ...'
            parts = str(exc).split(": ")
            reason = parts[-2] if len(parts) >= 3 else parts[-1]
            refused.setdefault(reason, []).append(w.name)
    if not refused:
        return Check("profile", "ok", f"all {len(workouts)} built-in workouts can be coached")
    parts = [f"{why}: {', '.join(names)}" for why, names in refused.items()]
    return Check(
        "profile",
        "fail",
        f"{sum(map(len, refused.values()))} of {len(workouts)} "
        f"workouts cannot start: {'; '.join(parts)}",
        'set athlete.threshold_pace (e.g. "5:00") or [athlete.race] in /etc/hiitd/hiitd.toml',
    )


def _voice(settings: Settings) -> Check:
    if not settings.voice.enabled:
        return Check("voice", "skip", "spoken cues are off ([voice] enabled = false)")
    from hiitd.runtime.voice_service import VoiceError, open_sink  # noqa: PLC0415
    from hiitd.voice.synth import SynthError, find_engine  # noqa: PLC0415

    v = settings.voice
    try:
        find_engine(
            v.engine, rate=v.rate, volume=v.volume, language=v.language, piper_model=v.piper_model
        )
        open_sink(v)
    except (SynthError, VoiceError) as exc:
        return Check("voice", "fail", str(exc), "hiitd voice test; see docs/audio.md")
    return Check("voice", "ok", f"{v.engine} speaks on {v.output}")


def _home_assistant(settings: Settings, broker: Check, retained: dict[str, bytes]) -> Check:
    from hiitd.mqtt.discovery import config_topic  # noqa: PLC0415

    if broker.status != "ok":
        return Check("home_assistant", "skip", "no broker to ask")
    doc = retained.get(config_topic(settings.mqtt.discovery_prefix, settings.athlete.id))
    if doc:
        try:
            name = json.loads(doc).get("device", {}).get("name", "the device")
        except (ValueError, AttributeError):
            name = "the device"
        return Check("home_assistant", "ok", f"discovery published ({name})")
    return Check(
        "home_assistant",
        "fail",
        "no discovery message on the broker",
        "start the daemon (it publishes discovery at start); hiitd ha discovery shows it",
    )
