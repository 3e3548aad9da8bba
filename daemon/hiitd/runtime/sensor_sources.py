"""Where samples come from: the BLE sensors, or the simulated athlete."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

import structlog

from hiitd.store import bindings_file as bindings
from hiitd_drivers.binding import Binding
from hiitd_drivers.ble.sensor_link import SensorLink
from hiitd_drivers.sim import AthleteModel, SimulatedAthlete, run_simulation

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.settings import Settings
    from hiitd_drivers.clock import Clock
    from hiitd_drivers.samples import Sample

log = structlog.get_logger(__name__)


def athlete_model(settings: Settings, effort: float) -> AthleteModel:
    """A simulated runner shaped like the configured athlete."""
    a = settings.athlete
    base = AthleteModel(effort=effort)
    return dataclasses.replace(
        base,
        max_hr=a.max_hr if a.max_hr is not None else base.max_hr,
        resting_hr=a.resting_hr if a.resting_hr is not None else base.resting_hr,
    )


async def sim_source(
    settings: Settings,
    clock: Clock,
    emit: Callable[[Sample], None],
    target: Callable[[float], float],
    *,
    effort: float = 1.0,
    seed: int = 1,
) -> None:
    """Run the simulated athlete on ``clock`` until cancelled, chasing ``target`` (m/s)."""
    athlete = SimulatedAthlete(athlete_model(settings, effort), seed=seed)
    await run_simulation(athlete, clock, target, emit)


async def ble_source(
    settings: Settings,
    clock: Clock,
    emit: Callable[[Sample], None],
    target: Callable[[float], float],  # noqa: ARG001 - real runners choose their own speed
) -> None:
    """One reconnecting link per enabled sensor role, until cancelled."""
    bound = bindings.effective(settings)
    ble = settings.ble
    # One at a time: BlueZ refuses a second discovery from the same D-Bus client.
    scan_lock = asyncio.Lock()
    async with asyncio.TaskGroup() as tg:
        for role in settings.ble.enabled_roles():
            sensor = ble.hr if role.value == "hr" else ble.footpod
            b = bound[role]
            link = SensorLink(
                role=role,
                binding=Binding(address=b.address, name=b.name),
                emit=emit,
                clock=clock,
                adapter=ble.adapter,
                scan_timeout_s=ble.scan_timeout_s,
                connect_timeout_s=ble.connect_timeout_s,
                watchdog_s=ble.watchdog_s,
                backoff_initial_s=ble.backoff_initial_s,
                backoff_max_s=ble.backoff_max_s,
                speed_factor=sensor.speed_factor,
                cadence_scale=float(sensor.cadence_scale),
                scan_lock=scan_lock,
            )
            if b.empty:
                log.warning(
                    "sensor_unbound",
                    role=role.value,
                    advice="no binding: the strongest device will be used; run 'hiitd pair'",
                )
            tg.create_task(link.run(), name=f"ble-{role.value}")
