"""The command line: ``hiitd run|demo|watch|decode|scan|pair|config``.

Every listing or report command takes ``--json``. A bad configuration stops
with one message naming the key and exit status 78 (EX_CONFIG, as sysexits.h),
which ``RestartPreventExitStatus=78`` in the systemd unit turns into "do not
restart in a loop, tell the admin".
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiitd import __version__
from hiitd.errors import ConfigError, HiitdError
from hiitd_drivers.driver_errors import DriverError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    # What ``add_subparsers`` returns; argparse does not name the type publicly.
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]  # noqa: SLF001

from hiitd.cli.cli_support import (
    EX_CANTCREAT,
    EX_CONFIG,
    EX_DATAERR,
    EX_INTERRUPTED,
    EX_OK,
    EX_UNAVAILABLE,
    file_error_line,
    print_json,
    settings_from_args,
)

PRIVATE_UMASK = 0o027


def _add_common(p: argparse.ArgumentParser, *, as_json: bool = False) -> None:
    p.add_argument("--config", type=Path, help="TOML settings file (default /etc/hiitd/hiitd.toml)")
    p.add_argument("--broker", metavar="URL", help="MQTT broker URL, overrides mqtt.url")
    if as_json:
        p.add_argument("--json", action="store_true", help="machine-readable output")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per task."""
    parser = argparse.ArgumentParser(
        prog="hiitd", description="Headless interval-running coach: BLE sensors in, MQTT out."
    )
    parser.add_argument("--version", action="version", version=f"hiitd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # In this order in ``hiitd --help``: the daemon, the sensors, the workouts,
    # what was recorded, the plan, then the admin tools.
    _add_daemon_commands(sub)
    _add_sensor_commands(sub)
    _add_workout_commands(sub)
    _add_sessions_command(sub)
    _add_plan_commands(sub)
    _add_profile_commands(sub)
    _add_store_commands(sub)
    _add_voice_commands(sub)
    _add_doctor_command(sub)
    _add_admin_commands(sub)
    return parser


def _add_daemon_commands(sub: Subparsers) -> None:
    """``run``, ``demo`` and ``watch``: the daemon, simulated or not, and its MQTT output."""
    p = sub.add_parser("run", help="run the daemon (what systemd starts)")
    _add_common(p)
    p.add_argument("--simulate", action="store_true", help="simulated sensors instead of BLE")
    p.add_argument(
        "--speed",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="with --simulate: run the daemon's clock FACTOR times faster (tests, trials)",
    )

    p = sub.add_parser("demo", help="a simulated athlete through the real pipeline to MQTT")
    _add_common(p, as_json=True)
    p.add_argument(
        "--workout",
        default="norwegian-4x4",
        metavar="NAME|FILE",
        help="built-in workout name or a workout file (default norwegian-4x4)",
    )
    p.add_argument("--speed", type=float, default=1.0, metavar="FACTOR", help="clock factor")
    p.add_argument(
        "--sim-effort",
        type=float,
        default=1.0,
        metavar="FRACTION",
        help="how much of the target speed the simulated runner achieves (0.85 = too slow)",
    )
    p.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this much")
    p.add_argument("--seed", type=int, default=1, help="simulator random seed")
    p.add_argument("--verbose", action="store_true", help="show the daemon's log lines too")
    p.add_argument("--voice", action="store_true", help="speak the cues ([voice] settings)")
    p.add_argument(
        "--voice-out",
        type=Path,
        metavar="DIR",
        help="write the spoken cues as WAV files and DIR/utterances.jsonl (session clock)",
    )

    p = sub.add_parser("watch", help="print a daemon's MQTT messages readably")
    _add_common(p, as_json=True)
    p.add_argument("--athlete", help="athlete id to watch (default from the settings)")
    p.add_argument(
        "--raw", action="store_true", help="every payload in full (no summaries of long ones)"
    )


def _add_sensor_commands(sub: Subparsers) -> None:
    """``decode``, ``scan`` and ``pair``: GATT payloads, sensors in range, the bindings."""
    p = sub.add_parser("decode", help="decode GATT payloads given in hex")
    p.add_argument("uuid", help="characteristic, e.g. 2a37, 0x2A53")
    p.add_argument("payloads", nargs="+", metavar="HEX")
    p.add_argument("--json", action="store_true", help="one JSON object per payload")

    p = sub.add_parser("scan", help="list heart-rate straps and footpods in range")
    _add_common(p, as_json=True)
    p.add_argument("--timeout", type=float, help="seconds to scan (default ble.scan_timeout_s)")

    p = sub.add_parser("pair", help="bind the strap and footpod this daemon should use")
    _add_common(p, as_json=True)
    p.add_argument("--hr", metavar="ADDRESS_OR_NAME", help="bind this strap")
    p.add_argument("--footpod", metavar="ADDRESS_OR_NAME", help="bind this footpod")
    p.add_argument("--timeout", type=float, help="seconds to scan")


def _add_workout_commands(sub: Subparsers) -> None:
    """``zones``, ``workouts`` and ``replay``: what the coach would ask of the athlete."""
    p = sub.add_parser("zones", help="the athlete's heart-rate and pace zones")
    _add_common(p, as_json=True)

    p = sub.add_parser("workouts", help="list, show, validate or import workouts")
    wsub = p.add_subparsers(dest="workouts_command", required=True, metavar="ACTION")
    w = wsub.add_parser("list", help="built-in and imported workouts")
    _add_common(w, as_json=True)
    w = wsub.add_parser("show", help="a workout's steps, repeats expanded, targets resolved")
    w.add_argument("workout", metavar="NAME_OR_FILE")
    _add_common(w, as_json=True)
    w = wsub.add_parser("validate", help="check a workout file (.zwo, .fit, .txt, .toml)")
    w.add_argument("file", metavar="FILE")
    _add_common(w, as_json=True)
    w = wsub.add_parser("import", help="validate a workout file and add it to the catalogue")
    w.add_argument("file", metavar="FILE")
    _add_common(w, as_json=True)

    p = sub.add_parser("replay", help="replay a recorded FIT activity through the coach")
    p.add_argument("file", metavar="FILE", help="a FIT activity file")
    p.add_argument("--workout", metavar="NAME|FILE", help="coach this workout (default: free run)")
    _add_common(p, as_json=True)


def _add_sessions_command(sub: Subparsers) -> None:
    """``sessions list|show|export|import``: the recorded sessions."""
    p = sub.add_parser("sessions", help="list, show, export or import recorded sessions")
    ssub = p.add_subparsers(dest="sessions_command", required=True, metavar="ACTION")
    s = ssub.add_parser("list", help="recorded sessions, newest first")
    s.add_argument("--limit", type=int, default=20, metavar="N", help="at most N (default 20)")
    _add_common(s, as_json=True)
    id_help = "a session id, a unique prefix of one, or 'latest'"
    s = ssub.add_parser("show", help="a session's summary, metrics, steps and cues")
    s.add_argument("id", metavar="ID", help=id_help)
    _add_common(s, as_json=True)
    s = ssub.add_parser("export", help="write a session as FIT, TCX, CSV or a PNG chart")
    s.add_argument("id", metavar="ID", help=id_help)
    _add_common(s, as_json=True)
    s.add_argument("--format", required=True, choices=("fit", "tcx", "csv", "png"))
    s.add_argument(
        "--output", metavar="PATH", help="file or directory (default ./ID.EXT); - for stdout"
    )
    s = ssub.add_parser(
        "import", help="add runs recorded elsewhere (FIT activities) to the history and load"
    )
    s.add_argument("files", nargs="+", metavar="FILE", help="FIT activity files")
    _add_common(s, as_json=True)


def _weeks(text: str) -> int:
    try:
        weeks = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= weeks <= 104:
        raise argparse.ArgumentTypeError(f"must be 1-104, got {weeks}")
    return weeks


def _add_plan_commands(sub: Subparsers) -> None:
    """``plan next|history|simulate`` and ``checkin``: the next session, readiness, a simulation."""
    p = sub.add_parser("plan", help="the next session, and load and readiness by day")
    psub = p.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    q = psub.add_parser("next", help="the recommended next session, its level, and why")
    _add_common(q, as_json=True)
    q = psub.add_parser("history", help="load, load ratio and readiness by day")
    q.add_argument("--days", type=int, default=28, metavar="N", help="the last N days (28)")
    _add_common(q, as_json=True)
    q = psub.add_parser(
        "simulate",
        help="follow the plan for N weeks with a simulated runner (stores nothing)",
        description=(
            "A simulated runner follows the planner day by day: a morning check-in, the "
            "recommended session run through the real coach on a fast clock, the RPE it "
            "reports, and fitness moving with the training. Prints each plan week (7 days "
            "from the first). The runner is --persona FILE ([athlete], [plan], [behaviour]; "
            "config/personas/ has examples), else the settings' athlete and plan."
        ),
    )
    q.add_argument(
        "--weeks", type=_weeks, required=True, metavar="N", help="plan weeks to simulate, 1-104"
    )
    q.add_argument("--persona", type=Path, metavar="FILE", help="persona TOML file")
    q.add_argument(
        "--seed", type=int, default=1, metavar="N", help="random seed: same seed, same run (1)"
    )
    _add_common(q, as_json=True)

    p = sub.add_parser(
        "checkin",
        help="record a readiness check-in (2 min resting RR)",
        description=(
            "A morning readiness check-in: resting HR and lnRMSSD from 2 minutes at rest. "
            "--live asks the running daemon to measure with the paired strap (exit 0 stored, "
            "1 not stored and why, 69 daemon or broker not reachable); --rr-file reads an "
            "HRV app's export; --resting-hr with --rmssd types one in."
        ),
    )
    p.add_argument(
        "--live", action="store_true", help="measure now with the strap, through the daemon"
    )
    p.add_argument(
        "--duration",
        type=int,
        metavar="S",
        help="with --live: seconds to measure, 60-300 (default 120)",
    )
    p.add_argument("--rr-file", type=Path, metavar="FILE", help="resting RR intervals, ms a line")
    p.add_argument("--resting-hr", type=float, metavar="N", help="resting HR, bpm (with --rmssd)")
    p.add_argument("--rmssd", type=float, metavar="X", help="RMSSD, ms (with --resting-hr)")
    _add_common(p, as_json=True)

    p = sub.add_parser(
        "health",
        help="report ill, injured or ok (no status: show it)",
        description=(
            "Ill or injured: no running until you report ok; then a few easy days "
            "(plan.easy_days_after_break, 3) before any HIIT. Kept in the state directory's "
            "health.json, which the daemon's plan reads too (cmd/health does the same over MQTT)."
        ),
    )
    p.add_argument(
        "status", nargs="?", choices=("ill", "injured", "ok"), help="what to report (none: show)"
    )
    p.add_argument("--note", metavar="TEXT", help="a short note kept with the report")
    _add_common(p, as_json=True)


def _add_profile_commands(sub: Subparsers) -> None:
    """``profile show|confirm-max-hr``: the max HR in use, the safety ceiling, a proposal."""
    p = sub.add_parser("profile", help="max HR, safety ceiling, and a proposed max HR")
    psub = p.add_subparsers(dest="profile_command", required=True, metavar="ACTION")
    q = psub.add_parser("show", help="the max HR and safety ceiling in use, and where from")
    _add_common(q, as_json=True)
    q = psub.add_parser(
        "confirm-max-hr",
        help="confirm a proposed max HR (its id and value, as 'profile show' prints them)",
        description=(
            "Confirm the max HR the daemon proposed after a session (exit 0 applied, "
            "1 refused and why, 69 daemon or broker not reachable)."
        ),
    )
    q.add_argument("proposal", metavar="ID", help="the proposal's id")
    q.add_argument("max_hr", type=int, metavar="BPM", help="the proposed max HR")
    _add_common(q, as_json=True)


def _add_doctor_command(sub: Subparsers) -> None:
    """``doctor``: is this Pi ready to coach?"""
    p = sub.add_parser("doctor", help="check the radio, user, broker, daemon, sensors, profile")
    _add_common(p, as_json=True)
    p.add_argument(
        "--scan-timeout",
        type=float,
        default=4.0,
        metavar="S",
        help="how long to look for the bound sensors when the daemon is not running",
    )


def _add_voice_commands(sub: Subparsers) -> None:
    """``voice test|devices``: the spoken cues on this machine."""
    p = sub.add_parser("voice", help="spoken cues: speak a sample, list the sound devices")
    vsub = p.add_subparsers(dest="voice_command", required=True, metavar="ACTION")
    v = vsub.add_parser("test", help="speak a sample through [voice] and list the devices found")
    _add_common(v, as_json=True)
    v.add_argument("--output", metavar="DEVICE|file:DIR", help="overrides voice.output")
    v.add_argument("--text", default=None, help="what to say (default: a coach's sample)")
    v = vsub.add_parser("devices", help="the ALSA playback devices (aplay -L)")
    _add_common(v, as_json=True)


def _add_store_commands(sub: Subparsers) -> None:
    """``store check``: the session store's full integrity check."""
    p = sub.add_parser("store", help="the session store: check it is whole")
    ssub = p.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    q = ssub.add_parser("check", help="read every page and index (read only; exit 0 whole, 1 not)")
    _add_common(q, as_json=True)


def _add_admin_commands(sub: Subparsers) -> None:
    """``ha discovery|remove`` and ``config check``: the Home Assistant device, the settings."""
    p = sub.add_parser("ha", help="the Home Assistant device: show its discovery, or remove it")
    hsub = p.add_subparsers(dest="ha_command", required=True, metavar="ACTION")
    h = hsub.add_parser("discovery", help="print the discovery message (topic and payload)")
    _add_common(h, as_json=True)
    h = hsub.add_parser("remove", help="clear the retained discovery: HA deletes the device")
    _add_common(h, as_json=True)

    p = sub.add_parser("config", help="configuration tools")
    csub = p.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    c = csub.add_parser("check", help="validate and print the effective settings, secrets masked")
    _add_common(c, as_json=True)


def _cmd_decode(args: argparse.Namespace) -> int:
    from hiitd_drivers.gatt.decode import decode_payload, parse_hex  # noqa: PLC0415

    status = EX_OK
    for text in args.payloads:
        try:
            payload = parse_hex(text)
        except ValueError as exc:
            result: dict[str, object] = {"uuid": args.uuid, "error": str(exc), "hex": text}
        else:
            result = decode_payload(args.uuid, payload)
        if "error" in result:
            status = EX_DATAERR
        if args.json:
            print_json(result)
        else:
            fields = "  ".join(f"{k}={v}" for k, v in result.items())
            sys.stdout.write(fields + "\n")
    return status


def _cmd_config_check(args: argparse.Namespace) -> int:
    from hiitd.settings import redacted, warnings  # noqa: PLC0415

    settings = settings_from_args(args)
    data = redacted(settings)
    for text in warnings(settings):
        sys.stderr.write(f"hiitd: warning: {text}\n")
    if args.json:
        print_json(data)
    else:
        for section, values in data.items():
            sys.stdout.write("\n".join(_toml_table(section, values)) + "\n")
        sys.stdout.write("# configuration ok\n")
    return EX_OK


def _toml_table(name: str, values: dict[str, Any]) -> list[str]:
    """``[name]`` as TOML: unset keys as comments, sub-sections as their own tables."""
    lines = [f"[{name}]"]
    tables = []
    for key, value in values.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif value is None or (isinstance(value, list) and None in value):
            lines.append(f"# {key} = (unset)")
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    for key, value in tables:
        lines.extend(_toml_table(f"{name}.{key}", value))
    return lines


_COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run_cmd", "cmd_run"),
    "demo": ("demo_cmd", "cmd_demo"),
    "zones": ("workouts_cmd", "cmd_zones"),
    "workouts": ("workouts_cmd", "cmd_workouts"),
    "watch": ("run_cmd", "cmd_watch"),
    "scan": ("run_cmd", "cmd_scan"),
    "pair": ("run_cmd", "cmd_pair"),
    "replay": ("replay_cmd", "cmd_replay"),
    "sessions": ("sessions_cmd", "cmd_sessions"),
    "ha": ("ha_cmd", "cmd_ha"),
    "plan": ("plan_cmd", "cmd_plan"),
    "checkin": ("plan_cmd", "cmd_checkin"),
    "health": ("health_cmd", "cmd_health"),
    "profile": ("profile_cmd", "cmd_profile"),
    "store": ("store_cmd", "cmd_store"),
    "voice": ("voice_cmd", "cmd_voice"),
    "doctor": ("doctor_cmd", "cmd_doctor"),
}


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "config":
        return _cmd_config_check(args)
    if args.command == "decode":
        return _cmd_decode(args)
    # Each command's module is imported only when it runs: `hiitd sessions list`
    # need not load the MQTT client, the engine and the FIT SDK.
    module, func = _COMMANDS[args.command]
    handler: Callable[[argparse.Namespace], int] = getattr(
        importlib.import_module(f"hiitd.cli.{module}"), func
    )
    return handler(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hiitd`` console script."""
    args = build_parser().parse_args(argv)
    # Sessions are health data: what hiitd creates is readable by its group at most
    # (folders 0750, files 0640), as the unit's UMask=0027 makes it under systemd.
    os.umask(PRIVATE_UMASK)
    try:
        return _dispatch(args)
    except ConfigError as exc:
        sys.stderr.write(f"hiitd: {exc}\n")
        return EX_CONFIG
    except (HiitdError, DriverError) as exc:
        sys.stderr.write(f"hiitd: {exc}\n")
        return EX_UNAVAILABLE
    except KeyboardInterrupt:
        return EX_INTERRUPTED
    except OSError as exc:
        if exc.filename is None:  # a socket, a pipe: not a file the user can fix
            raise
        sys.stderr.write(f"hiitd: {file_error_line(exc)}\n")
        return EX_CANTCREAT
