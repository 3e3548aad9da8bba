"""The simulated sensors: a ``SimulatedAthlete`` driven on a clock, as a sample source.

``run_simulation`` is to the simulator what ``ble.py`` is to a real strap: every
tick it asks the model for the notifications due, decodes each payload with the
*real* GATT parsers and converts it with the same ``convert`` functions the BLE
adapter uses, so ``hiitd demo`` exercises the whole decode path. The physiology
lives in the pure ``hiitd_drivers.sim_athlete``; this module only adds time,
link events and the batteries.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

from hiitd_drivers.convert import footpod_sample, heart_rate_sample
from hiitd_drivers.driver_errors import GattParseError
from hiitd_drivers.gatt.battery import parse_battery_level
from hiitd_drivers.gatt.encode import encode_battery
from hiitd_drivers.gatt.heart_rate import parse_heart_rate
from hiitd_drivers.gatt.rsc import parse_rsc
from hiitd_drivers.gatt.uuids import HEART_RATE_MEASUREMENT
from hiitd_drivers.samples import (
    BatterySample,
    Link,
    LinkSample,
    ParseErrorSample,
    Role,
    Sample,
)
from hiitd_drivers.sim_athlete import AthleteModel, Dropout, SimulatedAthlete

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

    from hiitd_drivers.clock import Clock

__all__ = [
    "AthleteModel",
    "Dropout",
    "SimulatedAthlete",
    "demo_target",
    "demo_target_from",
    "run_simulation",
]

# What the simulated sensors call themselves, so logs and dashboards can tell a
# demo from a run with real sensors.
SIM_ADDRESSES: Final = {Role.HR: "5E:00:00:00:00:01", Role.FOOTPOD: "5E:00:00:00:00:02"}
SIM_NAMES: Final = {Role.HR: "hiitd sim strap", Role.FOOTPOD: "hiitd sim footpod"}
# Plausible, distinct levels: a test or a dashboard can tell which is which.
SIM_BATTERY: Final = {Role.HR: 87, Role.FOOTPOD: 64}

_DEMO_WARMUP_S: Final = 180.0
_DEMO_REP_S: Final = 60.0
# "Hard" is 10 % above threshold speed: about 3 km race pace, ~97 % of vVO2max.
_DEMO_HARD_FACTOR: Final = 1.1


def demo_target(elapsed_s: float, profile: AthleteModel | None = None) -> float:
    """Target speed for the spine demo: 3 min easy, then 1 min hard / 1 min easy, forever."""
    p = profile if profile is not None else AthleteModel()
    if elapsed_s < _DEMO_WARMUP_S:
        return p.easy_speed_mps
    rep = int((elapsed_s - _DEMO_WARMUP_S) // _DEMO_REP_S)
    return p.threshold_speed_mps * _DEMO_HARD_FACTOR if rep % 2 == 0 else p.easy_speed_mps


def demo_target_from(start: float, profile: AthleteModel | None = None) -> Callable[[float], float]:
    """``demo_target`` as a function of clock time, counting from ``start``.

    ``run_simulation`` passes clock time to its target; a ``ScaledClock`` starts
    at 0, a ``MonotonicClock`` does not, so pass ``demo_target_from(clock.now())``.
    """
    return lambda now: demo_target(now - start, profile)


async def run_simulation(
    athlete: SimulatedAthlete,
    clock: Clock,
    target: Callable[[float], float],
    emit: Callable[[Sample], None],
    *,
    speed_factor: float = 1.0,
    cadence_scale: float = 1.0,
    tick_s: float = 0.25,
    stop: asyncio.Event | None = None,
) -> None:
    """Drive ``athlete`` on ``clock`` and ``emit`` decoded samples until ``stop`` is set.

    ``target(now)`` gives the target speed in m/s at clock time ``now``.
    ``speed_factor`` and ``cadence_scale`` are the per-pod calibration the BLE
    adapter would apply. Emits link UP and battery levels at start, DOWN/UP
    around scheduled dropouts, and DOWN for both sensors when ``stop`` is set.
    Cancellation propagates without emitting anything more.
    """
    if tick_s <= 0:
        raise ValueError(f"tick_s must be positive, got {tick_s}")

    def deliver(notifications: list[tuple[str, bytes]], t: float) -> None:
        for uuid, payload in notifications:
            role = Role.HR if uuid == HEART_RATE_MEASUREMENT else Role.FOOTPOD
            try:
                if role is Role.HR:
                    emit(heart_rate_sample(parse_heart_rate(payload), t))
                else:
                    measurement = parse_rsc(payload)
                    emit(
                        footpod_sample(
                            measurement, t, speed_factor=speed_factor, cadence_scale=cadence_scale
                        )
                    )
            except GattParseError as exc:
                # Cannot happen with our own encoder, but a source never dies
                # of a bad payload: it is counted downstream like a real one.
                emit(ParseErrorSample(t, role, uuid, payload.hex(), exc.reason))

    def link_sample(t: float, role: Role, link: Link, reason: str) -> LinkSample:
        return LinkSample(t, role, link, SIM_ADDRESSES[role], SIM_NAMES[role], reason)

    last = clock.now()
    deliver(athlete.advance(last, target(last)), last)
    for role in Role:
        if athlete.link(role, last) is Link.UP:
            emit(link_sample(last, role, Link.UP, "simulated sensor connected"))
            level = parse_battery_level(encode_battery(SIM_BATTERY[role]))
            emit(BatterySample(last, role, level))
    while stop is None or not stop.is_set():
        await clock.sleep(tick_s)
        now = clock.now()
        speed = target(now)
        # Split the step just before each link change so the samples before a
        # dropout come before its DOWN, and those after it (even one due at the
        # very instant of reconnection) after its UP.
        for t_change, role, link in athlete.link_changes(last, now):
            deliver(athlete.advance(math.nextafter(t_change, -math.inf), speed), now)
            reason = "simulated dropout" if link is Link.DOWN else "simulated reconnect"
            emit(link_sample(now, role, link, reason))
        deliver(athlete.advance(now, speed), now)
        last = now
    for role in Role:
        if athlete.link(role, last) is Link.UP:
            emit(link_sample(last, role, Link.DOWN, "simulation stopped"))
