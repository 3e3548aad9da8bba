"""BLE fixtures: a private system-like dbus-daemon, and the emulated BlueZ on it.

- ``private_bus``: the ``dbus-daemon``; ``.address`` for ``DBUS_SYSTEM_BUS_ADDRESS``.
- ``bluez``: the emulated BlueZ (``tests/ble_emulator``), with
  ``DBUS_SYSTEM_BUS_ADDRESS`` already set for in-process bleak; add peripherals
  with ``bluez.add(strap(hr_frames))``.
- ``hr_frames``: the derived FR630 heart-rate frames from ``../shared/data``.

Under CI=true a missing dbus-daemon or missing shared data fails, elsewhere it skips.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from ble_emulator import EmulatedBlueZ, PrivateBus
from ble_emulator.devices import hr_frames as load_hr_frames

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator
    from pathlib import Path


@pytest.fixture
def private_bus(executable: Callable[..., str]) -> Iterator[PrivateBus]:
    """A dbus-daemon configured like the system bus, in a private folder."""
    bus = PrivateBus(executable("dbus-daemon", "/usr/bin/dbus-daemon"))
    bus.start()
    yield bus
    bus.stop()


@pytest.fixture
async def bluez(
    private_bus: PrivateBus, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[EmulatedBlueZ]:
    """The emulated BlueZ; in-process bleak is pointed at it (DBUS_SYSTEM_BUS_ADDRESS)."""
    # dbus-fast reads the variable each time bleak builds a MessageBus, so setting it
    # here, before any bleak call in the test, is enough.
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", private_bus.address)
    emulator = EmulatedBlueZ(private_bus.address)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
def hr_frames(shared_data: Path) -> list[dict[str, Any]]:
    """The 829 derived 0x2A37 frames of a real FR630 run (read in place)."""
    return load_hr_frames(shared_data)
