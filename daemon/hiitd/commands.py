"""The long-running and radio commands: ``run``, ``demo``, ``watch``, ``scan``, ``pair``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from functools import partial
from typing import TYPE_CHECKING, Any

import structlog

from hiitd import bindings
from hiitd.app import supervise
from hiitd.cli_common import EX_OK, EX_UNAVAILABLE, print_json, settings_from_args
from hiitd.errors import ConfigError, HiitdError
from hiitd.logs import configure_logging
from hiitd.sdnotify import Notifier
from hiitd_drivers.clock import MonotonicClock, ScaledClock

if TYPE_CHECKING:
    import argparse
    from collections.abc import Coroutine

    from hiitd.settings import Settings
    from hiitd.telemetry import Outgoing

log = structlog.get_logger(__name__)


async def _unwrap(coro: Coroutine[Any, Any, None]) -> None:
    """Await ``coro``; a configuration or daemon error inside a TaskGroup surfaces alone."""
    try:
        await coro
    except* ConfigError as group:
        raise group.exceptions[0] from None
    except* HiitdError as group:
        raise group.exceptions[0] from None


def _run_until_signal(coro: Coroutine[Any, Any, None]) -> int:
    """Run ``coro``; SIGTERM/SIGINT cancel it, which is a clean stop (exit 0)."""

    async def main() -> int:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        stopping = False

        def stop(signame: str) -> None:
            nonlocal stopping
            log.info("signal_received", signal=signame)
            stopping = True
            task.cancel()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop, sig.name)
        try:
            await _unwrap(coro)
        except asyncio.CancelledError:
            if not stopping:
                raise
        return EX_OK

    return asyncio.run(main())


def cmd_run(args: argparse.Namespace) -> int:
    """The daemon: real BLE sensors (or ``--simulate``) to the configured broker."""
    settings = settings_from_args(args)
    configure_logging(settings.log.level, settings.log.format)
    from hiitd.sources import ble_source, sim_source  # noqa: PLC0415

    clock = MonotonicClock()
    source = partial(sim_source if args.simulate else ble_source, settings, clock)
    return _run_until_signal(supervise(settings, source, notifier=Notifier()))


class DemoPrinter:
    """Readable live lines for a person at a terminal, at most one per wall second."""

    def __init__(self, clock: ScaledClock, *, as_json: bool) -> None:
        self._clock = clock
        self._as_json = as_json
        self._last: dict[str, dict[str, Any]] = {}
        self._printed_at = 0.0

    def __call__(self, out: Outgoing) -> None:
        """Print ``out`` (JSON mode) or fold it into the next status line."""
        text = out.payload.decode("utf-8", "replace")
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = text
        if self._as_json:
            print_json({"topic": out.topic, "payload": body})
            return
        kind = out.topic.rsplit("/", 2)
        if kind[-1] == "availability":
            sensor = "heart-rate strap" if kind[-2] == "hr" else kind[-2]
            state = "connected" if text == "online" else "not connected"
            sys.stdout.write(f"{sensor}: {state}\n")
            sys.stdout.flush()
            return
        if isinstance(body, dict):
            self._last[kind[-1]] = body
        now = time.monotonic()
        if now - self._printed_at >= 1.0 and "hr" in self._last:
            self._printed_at = now
            sys.stdout.write(self.line() + "\n")
            sys.stdout.flush()

    def line(self) -> str:
        """``00:03:12  HR 148 bpm  pace 4:20 /km  172 spm  0.85 km``."""
        elapsed = int(self._clock.now())
        hr = self._last.get("hr", {})
        pod = self._last.get("footpod", {})
        bpm = hr.get("bpm")
        parts = [f"{elapsed // 3600:02d}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}"]
        parts.append(f"HR {bpm:>3} bpm" if bpm is not None else "HR  -- (no contact)")
        pace = pod.get("pace_s_per_km")
        if pace is not None:
            parts.append(f"pace {int(pace) // 60}:{int(pace) % 60:02d} /km")
        else:
            parts.append("pace --:-- /km")
        if pod.get("cadence_spm") is not None:
            parts.append(f"{pod['cadence_spm']:.0f} spm")
        if pod.get("distance_m") is not None:
            parts.append(f"{pod['distance_m'] / 1000:.2f} km")
        return "  ".join(parts)


async def _demo(settings: Settings, args: argparse.Namespace, printer: DemoPrinter) -> None:
    from hiitd.mqtt.broker import broker_reachable, embedded_broker  # noqa: PLC0415
    from hiitd.sources import sim_source  # noqa: PLC0415

    clock = printer._clock  # noqa: SLF001 - the printer and the source share one clock
    source = partial(sim_source, settings, clock, effort=args.sim_effort, seed=args.seed)

    async def go(settings: Settings) -> None:
        sys.stderr.write(
            f"hiitd demo: publishing to {settings.mqtt.url} under {settings.base_topic}/\n"
            f"  watch it with: hiitd watch --broker {settings.mqtt.url}\n"
            f"  or: mosquitto_sub -h {settings.mqtt.host} -p {settings.mqtt.port}"
            f" -t '{settings.base_topic}/#' -v\n"
        )
        if args.duration is None:
            await supervise(settings, source, printer=printer)
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(args.duration / args.speed):
                await supervise(settings, source, printer=printer)

    if await broker_reachable(settings.mqtt):
        await go(settings)
        return
    async with embedded_broker() as url:
        sys.stderr.write(f"hiitd demo: no broker at {settings.mqtt.url}; started one at {url}\n")
        merged = settings.model_dump()
        merged["mqtt"] = {**merged["mqtt"], "url": url, "username": None, "password": None}
        await go(type(settings).model_validate(merged))


def cmd_demo(args: argparse.Namespace) -> int:
    """A simulated athlete through the real pipeline; an embedded broker if none answers."""
    settings = settings_from_args(args)
    if args.speed <= 0 or not 0.1 <= args.sim_effort <= 1.5:
        raise ConfigError("--speed must be positive and --sim-effort between 0.1 and 1.5")
    # The demo's terminal is for the runner's lines; daemon chatter only with --verbose.
    configure_logging("info" if args.verbose else "warning", settings.log.format)
    printer = DemoPrinter(ScaledClock(args.speed), as_json=args.json)
    return _run_until_signal(_demo(settings, args, printer))


def cmd_watch(args: argparse.Namespace) -> int:
    """Subscribe to a daemon's topics and print them readably (or as JSON lines)."""
    from hiitd.mqtt.topics import Topics  # noqa: PLC0415
    from hiitd.mqtt.watch import watch  # noqa: PLC0415

    settings = settings_from_args(args)
    configure_logging(settings.log.level, settings.log.format)
    topics = Topics(settings.mqtt.prefix, args.athlete or settings.athlete.id)

    def out(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    return _run_until_signal(watch(settings.mqtt, topics, out, as_json=args.json))


def cmd_scan(args: argparse.Namespace) -> int:
    """List heart-rate straps and footpods in range, strongest first."""
    from hiitd_drivers.ble import scan  # noqa: PLC0415

    settings = settings_from_args(args)
    configure_logging(settings.log.level, settings.log.format)
    timeout = args.timeout or settings.ble.scan_timeout_s
    results = asyncio.run(scan(adapter=settings.ble.adapter, timeout_s=timeout))
    rows = [
        {
            "address": r.address,
            "name": r.name,
            "rssi": r.rssi,
            "services": list(r.services),
            "role": r.role.value if r.role else None,
        }
        for r in results
    ]
    if args.json:
        print_json(rows)
    elif not rows:
        sys.stdout.write("no heart-rate strap or footpod found (is it awake and in range?)\n")
    else:
        for row in rows:
            sys.stdout.write(
                f"{row['address']}  {row['rssi']:>4} dBm  {row['role'] or '?':<8} {row['name']}\n"
            )
    return EX_OK


def cmd_pair(args: argparse.Namespace) -> int:
    """Bind devices to roles: the given ones, or the strongest found by a scan."""
    from hiitd_drivers.ble import scan  # noqa: PLC0415
    from hiitd_drivers.samples import Role  # noqa: PLC0415

    settings = settings_from_args(args)
    configure_logging(settings.log.level, settings.log.format)
    timeout = args.timeout or settings.ble.scan_timeout_s
    results = asyncio.run(scan(adapter=settings.ble.adapter, timeout_s=timeout))
    current = bindings.load(settings.storage.state_dir)
    wanted = {Role.HR: args.hr, Role.FOOTPOD: args.footpod}
    chosen: dict[str, Any] = {}
    for role, want in wanted.items():
        if want is None and (args.hr or args.footpod):
            continue  # pair only the role(s) named on the command line
        candidates = [r for r in results if r.role is role]
        if want is not None:
            candidates = [
                r for r in candidates if want.upper() == r.address.upper() or want == r.name
            ]
        if not candidates:
            chosen[role.value] = None
            continue
        best = candidates[0]
        current[role] = bindings.StoredBinding(address=best.address, name=best.name)
        chosen[role.value] = {"address": best.address, "name": best.name, "rssi": best.rssi}
    path = bindings.save(settings.storage.state_dir, current)
    if args.json:
        print_json({"bindings": chosen, "file": str(path)})
    else:
        for role_name, dev in chosen.items():
            found = f"{dev['name']} ({dev['address']}, {dev['rssi']} dBm)" if dev else "none found"
            sys.stdout.write(f"{role_name:<8} {found}\n")
        sys.stdout.write(f"saved to {path}\n")
    return EX_OK if all(chosen.values()) else EX_UNAVAILABLE
