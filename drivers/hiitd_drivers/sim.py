"""The simulated sensors: a ``SimulatedAthlete`` driven on a clock, as a sample source.

``run_simulation`` is to the simulator what ``ble.sensor_link`` is to a real
strap: every tick it asks the model for the notifications due and decodes each
payload with the BLE adapter's own ``MeasurementDecoder`` (the *real* GATT
parsers and ``convert`` functions), so ``hiitd demo`` exercises the whole
decode path. The physiology lives in the pure ``hiitd_drivers.sim_athlete``;
this module only adds time, link events and the batteries (``SensorFeed``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

from hiitd_drivers.decoding import MEASUREMENT_UUID, MeasurementDecoder
from hiitd_drivers.gatt.battery import parse_battery_level
from hiitd_drivers.gatt.encode import encode_battery
from hiitd_drivers.samples import BatterySample, Link, LinkSample, Role, Sample
from hiitd_drivers.sim_athlete import AthleteModel, Dropout, SimulatedAthlete

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

    from hiitd_drivers.clock import Clock

__all__ = [
    "AthleteModel",
    "Dropout",
    "SensorFeed",
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
    feed = SensorFeed(athlete, emit, speed_factor=speed_factor, cadence_scale=cadence_scale)
    last = clock.now()
    feed.start(last, target(last))
    while stop is None or not stop.is_set():
        await clock.sleep(tick_s)
        now = clock.now()
        feed.advance(last, now, target(now))
        last = now
    feed.stop(last)


class SensorFeed:
    """The simulated sensors' notifications and link events, emitted as samples.

    No clock of its own: ``run_simulation`` drives it on a clock, ``hiitd plan
    simulate`` in explicit steps (start, advance from ``last`` to ``now``, stop).
    """

    def __init__(
        self,
        athlete: SimulatedAthlete,
        emit: Callable[[Sample], None],
        *,
        speed_factor: float,
        cadence_scale: float,
    ) -> None:
        self._athlete = athlete
        self._emit = emit
        # The BLE adapter's own decoder: the same parse-and-convert path as a real sensor.
        self._decoders = {
            MEASUREMENT_UUID[role]: MeasurementDecoder(
                role, speed_factor=speed_factor, cadence_scale=cadence_scale
            )
            for role in Role
        }

    def start(self, now: float, speed: float) -> None:
        """The first notifications, then UP and the battery level of each connected sensor."""
        self._deliver(self._athlete.advance(now, speed), now)
        for role in Role:
            if self._athlete.link(role, now) is Link.UP:
                self._emit_link(now, role, Link.UP, "simulated sensor connected")
                level = parse_battery_level(encode_battery(SIM_BATTERY[role]))
                self._emit(BatterySample(now, role, level))

    def advance(self, last: float, now: float, speed: float) -> None:
        """The notifications due from ``last`` to ``now``, with the link changes among them."""
        # Split the step just before each link change so the samples before a
        # dropout come before its DOWN, and those after it (even one due at the
        # very instant of reconnection) after its UP.
        for t_change, role, link in self._athlete.link_changes(last, now):
            self._deliver(self._athlete.advance(math.nextafter(t_change, -math.inf), speed), now)
            reason = "simulated dropout" if link is Link.DOWN else "simulated reconnect"
            self._emit_link(now, role, link, reason)
        self._deliver(self._athlete.advance(now, speed), now)

    def stop(self, now: float) -> None:
        """DOWN for each sensor still connected."""
        for role in Role:
            if self._athlete.link(role, now) is Link.UP:
                self._emit_link(now, role, Link.DOWN, "simulation stopped")

    def _deliver(self, notifications: list[tuple[str, bytes]], t: float) -> None:
        # A bad payload cannot happen with our own encoder, but a source never
        # dies of one: it becomes a ParseErrorSample, counted downstream.
        for uuid, payload in notifications:
            self._emit(self._decoders[uuid].decode(payload, t))

    def _emit_link(self, t: float, role: Role, link: Link, reason: str) -> None:
        self._emit(LinkSample(t, role, link, SIM_ADDRESSES[role], SIM_NAMES[role], reason))
