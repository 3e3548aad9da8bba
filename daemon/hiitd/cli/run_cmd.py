"""The long-running and radio commands: ``run``, ``watch``, ``scan``, ``pair``."""

from __future__ import annotations

import asyncio
import signal
import sys
from functools import partial
from typing import TYPE_CHECKING, Any

import structlog

from hiitd.cli.cli_support import EX_OK, EX_UNAVAILABLE, print_json, settings_from_args
from hiitd.errors import ConfigError, HiitdError
from hiitd.logs import configure_logging
from hiitd.runtime.daemon import RunOptions, supervise
from hiitd.runtime.sdnotify import Notifier
from hiitd.store import bindings_file as bindings
from hiitd_drivers.clock import MonotonicClock, ScaledClock

if TYPE_CHECKING:
    import argparse
    from collections.abc import Coroutine

    from hiitd_drivers.clock import Clock


log = structlog.get_logger(__name__)
STOP_RESEND_S = 10.0  # a stop not done by then is sent again to every task still running


async def _unwrap(coro: Coroutine[Any, Any, None]) -> None:
    """Await ``coro``; a configuration or daemon error inside a TaskGroup surfaces alone."""
    try:
        await coro
    except* ConfigError as group:
        raise group.exceptions[0] from None
    except* HiitdError as group:
        raise group.exceptions[0] from None


def run_until_signal(coro: Coroutine[Any, Any, None], *, resend_s: float = STOP_RESEND_S) -> int:
    """Run ``coro``; SIGTERM/SIGINT cancel it, which is a clean stop (exit 0).

    A stop is sent once, and a task that loses it runs on: on Python 3.11
    ``asyncio.wait_for`` (inside aiomqtt and bleak too) drops a cancellation that
    lands as its future completes (CPython gh-86296). So while anything is still
    running ``resend_s`` after the signal, every task still running is cancelled
    again (``stop_resent`` names them): systemd's stop never waits for its timeout
    and a SIGKILL in the middle of a write.
    """

    async def main() -> int:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        stopping = False

        def resend() -> None:
            if task.done():
                return
            running = [t for t in asyncio.all_tasks(loop) if t is not task and not t.done()]
            names = sorted(t.get_name() for t in running)
            log.warning("stop_resent", after_s=resend_s, tasks=names)
            for t in running:
                t.cancel()
            loop.call_later(resend_s, resend)

        def stop(signame: str) -> None:
            nonlocal stopping
            log.info("signal_received", signal=signame)
            if not stopping:
                loop.call_later(resend_s, resend)
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
    from hiitd.runtime.sensor_sources import ble_source, sim_source  # noqa: PLC0415
    from hiitd.settings import warnings  # noqa: PLC0415

    for text in warnings(settings):
        log.warning("config_warning", warning=text)

    if args.speed != 1.0 and not args.simulate:
        raise ConfigError("--speed needs --simulate: real sensors keep real time")
    if not 0 < args.speed <= 1000:
        raise ConfigError(f"--speed must be above 0 and at most 1000, got {args.speed:g}")
    clock: Clock = MonotonicClock() if args.speed == 1.0 else ScaledClock(args.speed)
    source = partial(sim_source if args.simulate else ble_source, settings, clock)
    options = RunOptions(notifier=Notifier())
    return run_until_signal(supervise(settings, clock, source, options))


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

    return run_until_signal(watch(settings.mqtt, topics, out, as_json=args.json, raw=args.raw))


def cmd_scan(args: argparse.Namespace) -> int:
    """List heart-rate straps and footpods in range, strongest first."""
    from hiitd_drivers.ble.scanner import scan  # noqa: PLC0415

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
    from hiitd_drivers.ble.scanner import scan  # noqa: PLC0415
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
