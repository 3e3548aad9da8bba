"""SensorLink and scan driven through injected fakes (no patching), on a virtual clock.

The fakes stand in for bleak's BleakClient and BleakScanner only; the real
bleak-retry-connector ``establish_connection`` runs, and the GATT tables are
built from bleak's own service/characteristic classes.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from typing import Any, Self

import pytest
import structlog
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
)

from hiitd_drivers.binding import Binding
from hiitd_drivers.ble.bleak_errors import translate_error
from hiitd_drivers.ble.scanner import scan
from hiitd_drivers.ble.sensor_link import SensorLink
from hiitd_drivers.driver_errors import AdapterUnavailableError, BleError
from hiitd_drivers.gatt.encode import encode_battery, encode_heart_rate, encode_rsc
from hiitd_drivers.gatt.uuids import (
    BATTERY_LEVEL,
    BATTERY_SERVICE,
    DEVICE_INFORMATION_SERVICE,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    MANUFACTURER_NAME,
    RSC_MEASUREMENT,
    RSC_SERVICE,
)
from hiitd_drivers.samples import (
    BatterySample,
    DeviceInfoSample,
    FootpodSample,
    HeartRateSample,
    Link,
    LinkSample,
    ParseErrorSample,
    Role,
)

HR_ADDR = "C0:FF:EE:00:00:01"
POD_ADDR = "C0:FF:EE:00:00:02"
IN_PROGRESS = "org.bluez.Error.InProgress"


# ---------------------------------------------------------------- virtual time


async def settle() -> None:
    """Let every ready callback and task run."""
    for _ in range(50):
        await asyncio.sleep(0)


class VirtualClock:
    """A Clock whose sleeps end only when the test moves time on."""

    def __init__(self) -> None:
        self._now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + max(0.0, seconds), next(self._seq), fut))
        await fut

    async def run_until(self, cond, *, limit_s: float = 600.0) -> None:
        """Wake sleepers in deadline order until ``cond()`` holds (or virtual time runs out)."""
        end = self._now + limit_s
        while True:
            await settle()
            if cond():
                return
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                # Only real-time waits are pending (bleak-retry-connector's own backoff).
                await asyncio.sleep(0.01)
                continue
            deadline, _, fut = heapq.heappop(self._sleepers)
            assert deadline <= end, f"condition not met within {limit_s} virtual seconds"
            self._now = max(self._now, deadline)
            fut.set_result(None)

    async def advance(self, seconds: float) -> None:
        """Move time on by ``seconds``, waking every sleeper due on the way."""
        target = self._now + seconds
        while True:
            await settle()
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)
            if not self._sleepers or self._sleepers[0][0] > target:
                break
            deadline, _, fut = heapq.heappop(self._sleepers)
            self._now = max(self._now, deadline)
            fut.set_result(None)
        self._now = target
        await settle()


# ---------------------------------------------------------------- fakes


def gatt_table(layout: dict[str, dict[str, list[str]]]) -> BleakGATTServiceCollection:
    """Build a real bleak service collection: {service: {characteristic: properties}}."""
    services = BleakGATTServiceCollection()
    handle = itertools.count(1)
    for svc_uuid, chars in layout.items():
        service = BleakGATTService(None, next(handle), svc_uuid)
        services.add_service(service)
        for char_uuid, props in chars.items():
            char = BleakGATTCharacteristic(
                None, next(handle), char_uuid, props, lambda: 20, service
            )
            services.add_characteristic(char)
    return services


class Peripheral:
    """One fake sensor: its advertisement, GATT table, values and scripted failures."""

    def __init__(self, role: Role, address: str, name: str, *, rssi: int = -60, gatt=None) -> None:
        self.role = role
        self.device = BLEDevice(address, name, {})
        svc = HEART_RATE_SERVICE if role is Role.HR else RSC_SERVICE
        meas = HEART_RATE_MEASUREMENT if role is Role.HR else RSC_MEASUREMENT
        self.adv = AdvertisementData(name, {}, {}, [svc], None, rssi, ())
        self.services = gatt or gatt_table(
            {
                svc: {meas: ["notify"]},
                BATTERY_SERVICE: {BATTERY_LEVEL: ["read", "notify"]},
                DEVICE_INFORMATION_SERVICE: {MANUFACTURER_NAME: ["read"]},
            }
        )
        self.values = {BATTERY_LEVEL: encode_battery(80), MANUFACTURER_NAME: b"Acme\x00"}
        self.connect_errors: list[BaseException] = []
        self.connect_calls = 0
        self.clients: list[FakeClient] = []

    def client_class(self) -> type[FakeClient]:
        """A BleakClient stand-in class bound to this peripheral, for ``client_class=``."""
        return type("BoundFakeClient", (FakeClient,), {"peripheral": self})

    @property
    def client(self) -> FakeClient:
        return self.clients[-1]


class FakeClient:
    """The part of BleakClient that SensorLink and establish_connection use."""

    peripheral: Peripheral

    def __init__(self, device: BLEDevice, disconnected_callback=None, **kwargs: Any) -> None:
        self.device = device
        self.kwargs = kwargs
        self._disconnected_callback = disconnected_callback
        self.is_connected = False
        self.notifying: dict[str, Any] = {}
        self.disconnect_calls = 0
        self.peripheral.clients.append(self)

    @property
    def services(self) -> BleakGATTServiceCollection:
        return self.peripheral.services

    async def connect(self, **kwargs: Any) -> None:
        self.peripheral.connect_calls += 1
        if self.peripheral.connect_errors:
            raise self.peripheral.connect_errors.pop(0)
        self.is_connected = True

    async def disconnect(self) -> None:
        self.disconnect_calls += 1
        if self.is_connected:
            self.drop()

    async def read_gatt_char(self, char: BleakGATTCharacteristic, **kwargs: Any) -> bytearray:
        return bytearray(self.peripheral.values[char.uuid])

    async def start_notify(self, char: BleakGATTCharacteristic, callback, **kwargs: Any) -> None:
        if not self.is_connected:
            raise BleakDBusError("org.bluez.Error.Failed", ["Not connected"])
        self.notifying[char.uuid] = (char, callback)

    async def stop_notify(self, char: BleakGATTCharacteristic) -> None:
        self.notifying.pop(char.uuid)

    def push(self, uuid: str, payload: bytes) -> None:
        """The sensor sends a notification."""
        char, callback = self.notifying[uuid]
        callback(char, bytearray(payload))

    def drop(self) -> None:
        """The link is lost (or closed); bleak then calls the disconnect callback."""
        self.is_connected = False
        self.notifying.clear()
        if self._disconnected_callback is not None:
            self._disconnected_callback(self)


class FakeScanner:
    """Stands in for the BleakScanner classmethods; ``advertising`` is what is in range."""

    def __init__(self, *peripherals: Peripheral) -> None:
        self.advertising = list(peripherals)
        self.errors: list[BaseException] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _visible(self, service_uuids: list[str]) -> list[Peripheral]:
        return [p for p in self.advertising if set(p.adv.service_uuids) & set(service_uuids)]

    async def discover(self, timeout: float = 5.0, *, return_adv: bool = False, **kwargs: Any):
        self.calls.append(("discover", kwargs))
        if self.errors:
            raise self.errors.pop(0)
        assert return_adv
        found = self._visible(kwargs.get("service_uuids", []))
        return {p.device.address: (p.device, p.adv) for p in found}

    async def find_device_by_filter(self, filterfunc, timeout: float = 10.0, **kwargs: Any):
        self.calls.append(("find_device_by_filter", kwargs))
        if self.errors:
            raise self.errors.pop(0)
        for p in self._visible(kwargs.get("service_uuids", [])):
            if filterfunc(p.device, p.adv):
                return p.device
        return None


# ---------------------------------------------------------------- harness


class Harness:
    """A SensorLink running in a task, with its emitted samples."""

    def __init__(self, peripheral: Peripheral, scanner: FakeScanner, **kwargs: Any) -> None:
        self.clock = VirtualClock()
        self.samples: list[Any] = []
        self.peripheral = peripheral
        self.scanner = scanner
        self.link = SensorLink(
            role=kwargs.pop("role", peripheral.role),
            binding=kwargs.pop("binding", Binding()),
            emit=self.samples.append,
            clock=self.clock,
            adapter="hci7",
            client_class=peripheral.client_class(),
            scanner_class=scanner,
            rand=lambda: 0.0,
            **kwargs,
        )
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self.task = asyncio.create_task(self.link.run(), name="test-link")
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task

    def of(self, kind: type) -> list[Any]:
        return [s for s in self.samples if isinstance(s, kind)]

    def links(self) -> list[tuple[Link, str]]:
        return [(s.link, s.reason) for s in self.of(LinkSample)]

    async def up(self, count: int = 1) -> None:
        await self.clock.run_until(lambda: self.link.is_up and self.link.connections >= count)


def hr_strap(**kwargs: Any) -> Peripheral:
    return Peripheral(Role.HR, HR_ADDR, "Polar H10 1", **kwargs)


# ---------------------------------------------------------------- SensorLink


async def test_notifications_flow_to_emit_as_samples():
    """After connecting: device info, battery, link up, then one sample per notification."""
    strap = hr_strap()
    async with Harness(strap, FakeScanner(strap)) as h:
        await h.up()
        strap.client.push(
            HEART_RATE_MEASUREMENT, encode_heart_rate(142, contact=True, rr_raw=[512])
        )
        strap.client.push(BATTERY_LEVEL, encode_battery(79))
    kinds = [type(s) for s in h.samples[:5]]
    assert kinds == [DeviceInfoSample, BatterySample, LinkSample, HeartRateSample, BatterySample]
    info, battery, up, beat, battery2 = h.samples[:5]
    assert (info.address, info.name, info.manufacturer) == (HR_ADDR, "Polar H10 1", "Acme")
    assert battery.level == 80
    assert battery2.level == 79
    assert (up.link, up.address, up.name) == (Link.UP, HR_ADDR, "Polar H10 1")
    assert (beat.bpm, beat.rr_ms, beat.contact) == (142, (500.0,), True)


async def test_adapter_is_passed_to_bleak_the_non_deprecated_way():
    """The adapter reaches scanner and client as bluez={"adapter": ...} (adapter= is deprecated)."""
    strap = hr_strap()
    scanner = FakeScanner(strap)
    async with Harness(strap, scanner) as h:
        await h.up()
    assert scanner.calls[0][1]["bluez"] == {"adapter": "hci7"}
    assert scanner.calls[0][1]["service_uuids"] == [HEART_RATE_SERVICE]
    assert strap.client.kwargs["bluez"] == {"adapter": "hci7"}


async def test_truncated_notification_is_counted_emitted_and_the_next_one_used():
    """A truncated payload is counted, logged, emitted as ParseErrorSample; the next is used."""
    strap = hr_strap()
    with structlog.testing.capture_logs() as logs:
        async with Harness(strap, FakeScanner(strap)) as h:
            await h.up()
            strap.client.push(HEART_RATE_MEASUREMENT, b"\x01\x50")
            strap.client.push(HEART_RATE_MEASUREMENT, encode_heart_rate(120))
    assert h.link.parse_errors == 1
    [bad] = h.of(ParseErrorSample)
    assert (bad.payload_hex, bad.uuid) == ("0150", HEART_RATE_MEASUREMENT)
    assert [s.bpm for s in h.of(HeartRateSample)] == [120]
    [logged] = [e for e in logs if e["event"] == "gatt_parse_error"]
    assert logged["payload_hex"] == "0150"
    assert logged["role"] == "hr"


async def test_contact_loss_gives_no_bpm():
    """When the strap loses skin contact the sample carries bpm None, not a number."""
    strap = hr_strap()
    async with Harness(strap, FakeScanner(strap)) as h:
        await h.up()
        strap.client.push(HEART_RATE_MEASUREMENT, encode_heart_rate(131, contact=True))
        strap.client.push(HEART_RATE_MEASUREMENT, encode_heart_rate(131, contact=False))
        strap.client.push(HEART_RATE_MEASUREMENT, encode_heart_rate(0))
    assert [(s.bpm, s.contact) for s in h.of(HeartRateSample)] == [
        (131, True),
        (None, False),
        (None, None),
    ]


async def test_footpod_notifications_are_calibrated():
    """RSC notifications become FootpodSamples with the speed factor applied."""
    pod = Peripheral(Role.FOOTPOD, POD_ADDR, "Stryd")
    async with Harness(pod, FakeScanner(pod), speed_factor=1.1) as h:
        await h.up()
        pod.client.push(RSC_MEASUREMENT, encode_rsc(3.0, 88, stride_m=1.2))
    [step] = h.of(FootpodSample)
    assert step.speed_mps == pytest.approx(3.3, abs=0.01)


async def test_watchdog_reconnects_when_notifications_stop():
    """No notification for watchdog_s: DOWN (watchdog), disconnect, fresh scan, UP again."""
    strap = hr_strap()
    scanner = FakeScanner(strap)
    async with Harness(strap, scanner, watchdog_s=5.0) as h:
        await h.up()
        first = strap.client
        await h.clock.advance(4.0)
        first.push(HEART_RATE_MEASUREMENT, encode_heart_rate(100))
        await h.clock.advance(4.0)
        assert h.link.is_up, "a notification 4 s ago keeps the link"
        await h.clock.advance(1.5)
        assert not h.link.is_up
        await h.up(count=2)
    assert first.disconnect_calls == 1
    assert h.links() == [
        (Link.UP, ""),
        (Link.DOWN, "watchdog"),
        (Link.UP, ""),
        (Link.DOWN, "shutdown"),
    ]
    assert len(scanner.calls) == 2, "every reconnect starts with a fresh scan"


async def test_disconnect_callback_gives_link_down_and_reconnect():
    """A peripheral-side disconnect emits LinkSample DOWN (disconnected) and the link reconnects."""
    strap = hr_strap()
    async with Harness(strap, FakeScanner(strap)) as h:
        await h.up()
        strap.client.drop()
        await settle()
        assert h.links()[-1] == (Link.DOWN, "disconnected")
        await h.up(count=2)
        strap.client.push(HEART_RATE_MEASUREMENT, encode_heart_rate(99))
    assert len(strap.clients) == 2
    assert [s.bpm for s in h.of(HeartRateSample)] == [99]
    assert len(h.of(DeviceInfoSample)) == 1, "device info is read once per device"


async def test_in_progress_error_on_connect_is_retried():
    """org.bluez.Error.InProgress on connect is retried and the link comes up without a DOWN."""
    strap = hr_strap()
    strap.connect_errors.append(BleakDBusError(IN_PROGRESS, []))
    async with Harness(strap, FakeScanner(strap)) as h:
        await h.up()
    assert strap.connect_calls == 2
    assert h.links() == [(Link.UP, ""), (Link.DOWN, "shutdown")]


async def test_adapter_trouble_while_scanning_is_waited_out():
    """Powered off, InProgress and no D-Bus while scanning are logged with advice and retried."""
    strap = hr_strap()
    scanner = FakeScanner(strap)
    scanner.errors += [
        BleakBluetoothNotAvailableError("off", BleakBluetoothNotAvailableReason.POWERED_OFF),
        BleakDBusError("org.bluez.Error.NotReady", ["Resource Not Ready"]),
        BleakDBusError(IN_PROGRESS, ["Operation already in progress"]),
        FileNotFoundError(2, "No such file or directory"),
    ]
    with structlog.testing.capture_logs() as logs:
        async with Harness(strap, scanner) as h:
            await h.up()
    failures = [e for e in logs if e["event"] == "ble_link_failed"]
    assert [e["kind"] for e in failures] == [
        "AdapterUnavailableError",
        "AdapterUnavailableError",
        "BleError",
        "AdapterUnavailableError",
    ]
    assert "bluetoothctl power on" in failures[1]["error"]
    waits = [e["delay_s"] for e in logs if e["event"] == "ble_reconnect_wait"]
    assert waits == [1.0, 2.0, 4.0, 8.0], "backoff doubles while the adapter is unavailable"


async def test_with_a_binding_another_device_is_never_connected():
    """A bound strap that is absent is waited for; a stronger stranger is never connected."""
    stranger = Peripheral(Role.HR, "DE:AD:00:00:00:01", "Polar H10 1", rssi=-30)
    mine = hr_strap(rssi=-80)
    scanner = FakeScanner(stranger)
    binding = Binding(address=HR_ADDR.lower())
    async with Harness(mine, scanner, binding=binding) as h:
        await h.clock.run_until(lambda: len(scanner.calls) >= 4)
        assert mine.clients == []
        assert not h.link.is_up
        scanner.advertising.append(mine)
        await h.up()
    assert mine.client.device.address == HR_ADDR
    assert {c[0] for c in scanner.calls} == {"find_device_by_filter"}


async def test_device_without_the_measurement_characteristic_is_retried_not_fatal():
    """A bound device lacking 0x2A37 is disconnected and retried with backoff, never a crash."""
    odd = hr_strap(gatt=gatt_table({BATTERY_SERVICE: {BATTERY_LEVEL: ["read"]}}))
    with structlog.testing.capture_logs() as logs:
        async with Harness(odd, FakeScanner(odd)) as h:
            await h.clock.run_until(lambda: len(odd.clients) >= 2)
    assert all(c.disconnect_calls == 1 for c in odd.clients[:1])
    assert any("has no" in e.get("error", "") for e in logs if e["event"] == "ble_link_failed")


async def test_cancel_disconnects_cleanly_and_propagates():
    """Shutdown (cancel) stops notifications, disconnects, emits DOWN (shutdown) and re-raises."""
    strap = hr_strap()
    async with Harness(strap, FakeScanner(strap)) as h:
        await h.up()
        client = strap.client
        notifying = dict(client.notifying)
    assert set(notifying) == {HEART_RATE_MEASUREMENT, BATTERY_LEVEL}
    assert client.disconnect_calls == 1
    assert not client.is_connected
    assert h.links()[-1] == (Link.DOWN, "shutdown")


# ---------------------------------------------------------------- scan and errors


async def test_scan_returns_classified_results_strongest_first():
    """scan lists straps and pods by service, strongest first, with roles from the advertisement."""
    weak = Peripheral(Role.HR, "AA:00:00:00:00:01", "HRM-Dual", rssi=-85)
    strong = Peripheral(Role.FOOTPOD, "AA:00:00:00:00:02", "Stryd", rssi=-40)
    scanner = FakeScanner(weak, strong)
    results = await scan(adapter="hci1", timeout_s=3.0, scanner_class=scanner)
    assert [(r.address, r.role, r.rssi) for r in results] == [
        ("AA:00:00:00:00:02", Role.FOOTPOD, -40),
        ("AA:00:00:00:00:01", Role.HR, -85),
    ]
    assert results[1].services == (HEART_RATE_SERVICE,)
    assert scanner.calls[0][1]["bluez"] == {"adapter": "hci1"}


async def test_scan_translates_a_missing_dbus_into_adapter_unavailable():
    """No system bus becomes AdapterUnavailableError with advice, chained to the cause."""
    scanner = FakeScanner()
    scanner.errors.append(FileNotFoundError(2, "No such file or directory"))
    with pytest.raises(AdapterUnavailableError, match="system_bus_socket") as info:
        await scan(adapter="hci0", timeout_s=1.0, scanner_class=scanner)
    assert isinstance(info.value.__cause__, FileNotFoundError)


def test_translate_error_gives_advice():
    """bleak and D-Bus errors map onto the driver hierarchy with something to do."""
    off = translate_error(BleakDBusError("org.bluez.Error.NotReady", []), adapter="hci0")
    busy = translate_error(BleakDBusError(IN_PROGRESS, []), adapter="hci0")
    slow = translate_error(TimeoutError(), adapter="hci0")
    assert isinstance(off, AdapterUnavailableError)
    assert "power on" in str(off)
    assert type(busy) is BleError
    assert "retrying" in str(busy)
    assert type(slow) is BleError
    assert "timed out" in str(slow)


def test_a_missing_system_bus_is_said_in_words_not_as_a_repr():
    """``hiitd scan`` without D-Bus said ``FileNotFoundError(2, ...)``."""
    err = translate_error(FileNotFoundError(2, "No such file or directory"), adapter="hci0")
    assert str(err).startswith("cannot reach BlueZ over D-Bus: no system bus socket; ")
    assert "FileNotFoundError" not in str(err)
    refused = translate_error(ConnectionRefusedError(111, "Connection refused"), adapter="hci0")
    assert "the system bus refused the connection" in str(refused)
