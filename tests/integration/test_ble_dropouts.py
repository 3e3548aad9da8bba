"""The BLE driver (SensorLink) on bleak's real BlueZ backend against the emulated BlueZ.

Scenarios 4-7, 9 (binding) and 10 of issue 6, each through ``SensorLink`` in
process, with short scan, watchdog and backoff settings so the suite stays quick.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

import pytest

from ble_emulator import ABORT_BY_LOCAL
from ble_emulator.devices import (
    OTHER_STRAP_ADDRESS,
    OTHER_STRAP_NAME,
    STRAP_ADDRESS,
    TRUNCATED_FRAME,
    strap,
)
from hiitd_drivers.binding import Binding
from hiitd_drivers.ble.sensor_link import SensorLink
from hiitd_drivers.clock import MonotonicClock
from hiitd_drivers.samples import (
    HeartRateSample,
    Link,
    LinkSample,
    ParseErrorSample,
    Role,
    Sample,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from ble_emulator import EmulatedBlueZ

pytestmark = pytest.mark.integration


class Run:
    """A SensorLink running in the background, and everything it emitted."""

    def __init__(self, link: SensorLink, samples: list[Sample]) -> None:
        self.link, self.samples = link, samples

    def of(self, kind: type[Any]) -> list[Any]:
        return [s for s in self.samples if isinstance(s, kind)]

    def ups(self) -> list[LinkSample]:
        return [s for s in self.of(LinkSample) if s.link is Link.UP]

    def downs(self) -> list[LinkSample]:
        return [s for s in self.of(LinkSample) if s.link is Link.DOWN]

    async def until(self, check: Callable[[], object], timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not check():
                await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running(binding: Binding | None = None, **kwargs: Any) -> AsyncIterator[Run]:
    samples: list[Sample] = []
    settings: dict[str, Any] = {
        "scan_timeout_s": 1.5,
        "connect_timeout_s": 10.0,
        "watchdog_s": 1.0,
        "backoff_initial_s": 0.2,
        "backoff_max_s": 0.5,
    } | kwargs
    link = SensorLink(
        role=Role.HR,
        binding=binding or Binding(),
        emit=samples.append,
        clock=MonotonicClock(),
        **settings,
    )
    task = asyncio.create_task(link.run(), name="test-link")
    try:
        yield Run(link, samples)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_vanished_strap_is_rediscovered_and_reconnected_without_restart(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]]
) -> None:
    """Scenario 4: InterfacesRemoved (BlueZ's temporary timeout), back later: reconnected."""
    sensor = bluez.add(strap(hr_frames))
    async with running(Binding(address=STRAP_ADDRESS)) as run:
        await run.until(lambda: run.link.is_up)
        sensor.vanish()
        await run.until(run.downs)
        await asyncio.sleep(3.0)  # "a minute later", shortened: several scans find nothing
        assert not run.link.is_up
        before = len(run.of(HeartRateSample))
        sensor.set_available(available=True)
        await run.until(lambda: len(run.ups()) == 2)
        await run.until(lambda: len(run.of(HeartRateSample)) > before + 3)
    assert run.link.connections == 2


async def test_in_progress_then_abort_by_local_then_success_connects(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]]
) -> None:
    """Scenario 5: Connect fails with InProgress, then le-connection-abort-by-local, then works."""
    sensor = bluez.add(strap(hr_frames))
    sensor.fail_next_connects(
        ("org.bluez.Error.InProgress", "In Progress"),
        ("org.bluez.Error.Failed", ABORT_BY_LOCAL),
    )
    async with running(Binding(address=STRAP_ADDRESS)) as run:
        await run.until(lambda: len(run.of(HeartRateSample)) >= 5)
        assert run.link.is_up
    assert not sensor.connect_errors, "both failures were met"
    assert len(run.ups()) == 1, "one link, kept: the aborted attempt is not a lost link"
    assert [s.reason for s in run.downs()] == ["shutdown"]


async def test_adapter_power_cycle_is_waited_out_then_reconnected(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]]
) -> None:
    """Scenario 6: the adapter is powered off (NotReady), then on: hiitd waits, reconnects."""
    bluez.add(strap(hr_frames))
    async with running(Binding(address=STRAP_ADDRESS)) as run:
        await run.until(lambda: run.link.is_up)
        bluez.power_off()
        await run.until(run.downs)
        await asyncio.sleep(1.5)
        assert not run.link.is_up
        bluez.power_on()
        await run.until(lambda: len(run.ups()) == 2)
        count = len(run.of(HeartRateSample))
        await run.until(lambda: len(run.of(HeartRateSample)) > count + 3)


async def test_silent_notifications_make_the_watchdog_reconnect(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]]
) -> None:
    """Scenario 7: notifications stop while the link stays up: the watchdog reconnects."""
    sensor = bluez.add(strap(hr_frames))
    async with running(Binding(address=STRAP_ADDRESS)) as run:
        await run.until(lambda: len(run.of(HeartRateSample)) >= 3)
        sensor.stop_notifications()
        await run.until(run.downs)
        assert run.downs()[0].reason == "watchdog"
        sensor.resume_notifications()
        await run.until(lambda: len(run.ups()) == 2)
        count = len(run.of(HeartRateSample))
        await run.until(lambda: len(run.of(HeartRateSample)) > count + 3)
    assert "Disconnect " + sensor.path in bluez.calls, "the stale link was closed first"


async def test_only_the_bound_strap_is_used_when_two_advertise(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]]
) -> None:
    """Scenario 9: a stronger second strap is ignored; only the bound one is connected."""
    bound = bluez.add(strap(hr_frames, rssi=-80))
    other = bluez.add(
        strap(hr_frames, address=OTHER_STRAP_ADDRESS, name=OTHER_STRAP_NAME, rssi=-40)
    )
    async with running(Binding(address=STRAP_ADDRESS.lower())) as run:
        await run.until(lambda: len(run.of(HeartRateSample)) >= 3)
        assert run.ups()[0].address == STRAP_ADDRESS
    assert bound.sent > 0
    assert not any(other.path in call for call in bluez.calls if call.startswith("Connect"))


async def test_without_binding_the_strongest_strap_is_taken(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]]
) -> None:
    """Scenario 9: with no binding the strongest strap is connected."""
    bluez.add(strap(hr_frames, rssi=-80))
    bluez.add(strap(hr_frames, address=OTHER_STRAP_ADDRESS, name=OTHER_STRAP_NAME, rssi=-45))
    async with running() as run:
        await run.until(lambda: run.link.is_up)
        assert run.ups()[0].address == OTHER_STRAP_ADDRESS


async def test_malformed_notification_is_counted_and_dropped_then_next_used(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]]
) -> None:
    """Scenario 10: a truncated frame is counted and dropped; the next good frame is used."""
    sensor = bluez.add(strap(hr_frames))
    async with running(Binding(address=STRAP_ADDRESS)) as run:
        await run.until(lambda: len(run.of(HeartRateSample)) >= 2)
        sensor.send(TRUNCATED_FRAME)
        await run.until(lambda: run.of(ParseErrorSample))
        after = len(run.samples)
        await run.until(lambda: any(isinstance(s, HeartRateSample) for s in run.samples[after:]))
        assert run.link.is_up, "a bad frame does not cost the link"
    assert run.link.parse_errors == 1
    assert run.of(ParseErrorSample)[0].payload_hex == TRUNCATED_FRAME.hex()
    assert len(run.ups()) == 1


async def test_reconnect_after_link_drop_is_quick(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]]
) -> None:
    """Scenario 3 (driver): link dropped, advertising again: a new HR sample within 3 s."""
    sensor = bluez.add(strap(hr_frames))
    async with running(Binding(address=STRAP_ADDRESS)) as run:
        await run.until(lambda: run.link.is_up)
        sensor.drop_link()
        await run.until(run.downs)
        await asyncio.sleep(1.0)
        count = len(run.of(HeartRateSample))
        sensor.set_available(available=True)
        back = time.monotonic()
        await run.until(lambda: len(run.of(HeartRateSample)) > count, timeout=10)
        took = time.monotonic() - back
    print(f"\ndriver: available again -> first new HR sample: {took:.2f} s")  # noqa: T201
    assert took < 3.0
