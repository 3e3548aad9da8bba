"""Is the radio ready? BlueZ on the system bus, the adapter present and powered, rfkill.

For ``hiitd doctor``: each answer with what to do when it is no. The bus is the
one bleak uses (``DBUS_SYSTEM_BUS_ADDRESS`` when set, else the system bus).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus

RFKILL = Path("/sys/class/rfkill")
TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class RadioState:
    """What the system bus says about BlueZ and ``adapter``."""

    bluez: bool  # org.bluez has an owner on the bus
    adapters: tuple[str, ...]  # hci0, ...
    powered: bool | None  # the chosen adapter's Powered (None: not there)
    error: str | None = None  # the bus could not be asked, and why


async def radio_state(adapter: str) -> RadioState:
    """Ask the system bus (never raises: ``error`` says why it could not)."""
    try:
        async with asyncio.timeout(TIMEOUT_S):
            bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
            try:
                return await _ask(bus, adapter)
            finally:
                bus.disconnect()
    except (OSError, TimeoutError, ValueError) as exc:
        return RadioState(
            bluez=False, adapters=(), powered=None, error=str(exc) or type(exc).__name__
        )


async def _ask(bus: MessageBus, adapter: str) -> RadioState:
    reply = await bus.call(
        Message(
            destination="org.freedesktop.DBus",
            path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus",
            member="NameHasOwner",
            signature="s",
            body=["org.bluez"],
        )
    )
    if reply.message_type is MessageType.ERROR or not reply.body[0]:
        return RadioState(bluez=False, adapters=(), powered=None)
    reply = await bus.call(
        Message(
            destination="org.bluez",
            path="/",
            member="GetManagedObjects",
            interface="org.freedesktop.DBus.ObjectManager",
        )
    )
    if reply.message_type is MessageType.ERROR:
        return RadioState(bluez=True, adapters=(), powered=None)
    names, powered = [], None
    for path, interfaces in reply.body[0].items():
        props = interfaces.get("org.bluez.Adapter1")
        if props is None:
            continue
        name = str(path).rsplit("/", 1)[-1]
        names.append(name)
        if name == adapter and "Powered" in props:
            powered = bool(props["Powered"].value)
    return RadioState(bluez=True, adapters=tuple(sorted(names)), powered=powered)


def rfkill_blocked(root: Path = RFKILL) -> list[str]:
    """The Bluetooth rfkill switches that are on: ``"hci0: soft"``, ``"hci0: hard"``."""
    out: list[str] = []
    for entry in sorted(root.glob("rfkill*")) if root.is_dir() else []:
        try:
            if (entry / "type").read_text(encoding="utf-8").strip() != "bluetooth":
                continue
            name = (entry / "name").read_text(encoding="utf-8").strip()
            out.extend(
                f"{name}: {kind}"
                for kind in ("soft", "hard")
                if (entry / kind).read_text(encoding="utf-8").strip() == "1"
            )
        except OSError:
            continue
    return out
