"""One sensor role kept connected: scan, bind, connect, subscribe, watchdog, reconnect.

``SensorLink`` hands up ``Sample``s only; every bleak/D-Bus error is translated
(``bleak_errors``) and retried with the ``backoff`` policy after a fresh scan.

Fakes are injected, never patched: ``client_class`` is handed to
``establish_connection`` exactly as Home Assistant does, and ``scanner_class``
is used through the two ``BleakScanner`` classmethods we rely on
(``tests/unit/test_bleak_canary.py`` checks they still exist).
"""

from __future__ import annotations

import asyncio
import random
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Final

import structlog
from bleak import BleakClient, BleakScanner
from bleak.exc import BleakError
from bleak_retry_connector import establish_connection

from hiitd_drivers.backoff import INITIAL_BACKOFF_S, MAX_BACKOFF_S, Backoff
from hiitd_drivers.binding import ROLE_SERVICE, Binding, ScanResult, choose, role_label
from hiitd_drivers.ble.advice import not_found_advice
from hiitd_drivers.ble.bleak_errors import BLE_FAILURES, translate_error
from hiitd_drivers.ble.scanner import scan_args, to_scan_result
from hiitd_drivers.ble.watchdog import WATCHDOG, wait_for_loss
from hiitd_drivers.decoding import MeasurementDecoder, decode_battery, device_info_sample
from hiitd_drivers.driver_errors import BleError, SensorNotFoundError
from hiitd_drivers.gatt.device_info import DEVICE_INFO_FIELDS, parse_device_info_string
from hiitd_drivers.gatt.uuids import BATTERY_LEVEL
from hiitd_drivers.samples import (
    HeartRateSample,
    Link,
    LinkSample,
    ParseErrorSample,
    RejectedSample,
    Role,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from bleak.backends.characteristic import BleakGATTCharacteristic
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData

    from hiitd_drivers.clock import Clock
    from hiitd_drivers.samples import Sample

__all__ = ["MAX_CONNECT_ATTEMPTS", "SensorLink"]

log = structlog.get_logger(__name__)

# Connect attempts inside one establish_connection call. bleak-retry-connector
# retries BlueZ's transient errors (InProgress, le-connection-abort-by-local)
# with its own short backoffs; past three, our backoff with a *fresh scan*
# takes over, which also copes with a device whose BlueZ object went away.
MAX_CONNECT_ATTEMPTS: Final = 3

# One GATT read or start_notify. BlueZ's ATT timeout is 30 s; a live strap
# answers in well under a second, so 10 s only ever fires on a dead link.
GATT_TIMEOUT_S: Final = 10.0

# Disconnecting must not hold up a reconnect or a shutdown (systemd's default
# stop timeout is 90 s for the whole daemon); BlueZ drops the link anyway when
# its supervision timeout runs out.
DISCONNECT_TIMEOUT_S: Final = 5.0

# After this many, parse errors log at debug: a broken strap sends garbage at
# 1 Hz and would flood the journal; the counter and the samples still count all.
PARSE_ERRORS_LOGGED: Final = 10


def _characteristic(client: BleakClient, uuid: str) -> BleakGATTCharacteristic | None:
    """Return the first characteristic with ``uuid``, or None.

    Not ``services.get_characteristic``: it raises BleakError when a UUID occurs
    twice, and some straps expose a second Battery Service for a chest module.
    """
    for char in client.services.characteristics.values():
        if char.uuid == uuid:
            return char
    return None


class SensorLink:
    """One sensor role kept connected until cancelled, its notifications turned into samples.

    ``parse_errors`` counts malformed notifications, ``connections`` successful links.
    """

    def __init__(
        self,
        *,
        role: Role,
        binding: Binding,
        emit: Callable[[Sample], None],
        clock: Clock,
        adapter: str = "hci0",
        scan_timeout_s: float = 10.0,
        connect_timeout_s: float = 60.0,
        watchdog_s: float = 5.0,
        backoff_initial_s: float = INITIAL_BACKOFF_S,
        backoff_max_s: float = MAX_BACKOFF_S,
        speed_factor: float = 1.0,
        cadence_scale: float = 1.0,
        max_connect_attempts: int = MAX_CONNECT_ATTEMPTS,
        client_class: type[BleakClient] = BleakClient,
        scanner_class: type[BleakScanner] = BleakScanner,
        rand: Callable[[], float] = random.random,
        scan_lock: asyncio.Lock | None = None,
    ) -> None:
        self.role = role
        # Share one lock between the links of a process: BlueZ allows one discovery
        # session per D-Bus client (adapter.c, start_discovery: "InProgress") and
        # bleak scans over one bus per event loop, so concurrent scans fail.
        self._scan_lock = scan_lock or asyncio.Lock()
        self.binding = binding
        self._emit = emit
        self._clock = clock
        self._adapter = adapter
        self._scan_timeout_s = scan_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._watchdog_s = watchdog_s
        self._max_connect_attempts = max_connect_attempts
        self._client_class = client_class
        self._scanner_class = scanner_class
        self._backoff = Backoff(initial_s=backoff_initial_s, max_s=backoff_max_s, rand=rand)
        self._decoder = MeasurementDecoder(
            role, speed_factor=speed_factor, cadence_scale=cadence_scale
        )
        self._info_read: set[str] = set()
        self._last_rx = 0.0
        self._up: ScanResult | None = None
        self._log = log.bind(role=role.value)
        self._task_name = f"ble-{role.value}"
        self.parse_errors = 0
        self.rejected = 0
        self.connections = 0

    @property
    def is_up(self) -> bool:
        """Return whether the link is subscribed and delivering."""
        return self._up is not None

    async def run(self) -> None:
        """Connect, deliver, and reconnect with backoff, until cancelled."""
        while True:
            try:
                await self._session()
            except asyncio.CancelledError:
                self._link_down("shutdown")
                raise
            except (BleError, *BLE_FAILURES) as exc:
                error = translate_error(exc, adapter=self._adapter)
                self._link_down(str(error))
                self._log.warning(
                    "ble_link_failed",
                    error=str(error),
                    kind=type(error).__name__,
                    attempt=self._backoff.attempt + 1,
                )
            delay = self._backoff.next_delay()
            self._log.info(
                "ble_reconnect_wait", attempt=self._backoff.attempt, delay_s=round(delay, 3)
            )
            await self._clock.sleep(delay)

    async def _session(self) -> None:
        """One scan-connect-subscribe cycle; returns when the link is lost."""
        device, result = await self._find()
        lost = asyncio.Event()

        def on_disconnect(_client: BleakClient) -> None:
            # Called by bleak from the event loop, also after our own disconnect().
            lost.set()

        self._log.info("ble_connecting", address=result.address, name=result.name)
        async with AsyncExitStack() as stack:
            async with asyncio.timeout(self._connect_timeout_s):
                client = await establish_connection(
                    self._client_class,
                    device,
                    result.name or result.address,
                    disconnected_callback=on_disconnect,
                    max_attempts=self._max_connect_attempts,
                    bluez={"adapter": self._adapter},
                )
            stack.push_async_callback(self._disconnect, client)
            # A connect that BlueZ aborted and bleak retried (le-connection-abort-by-local:
            # Connected goes true then false) has already called on_disconnect; that
            # loss belongs to the failed attempt, not to this link.
            lost.clear()
            if not client.is_connected:
                raise BleError(f"{result.address} disconnected while connecting; retrying")
            await self._read_device_info(client, result)
            await self._subscribe_battery(client, stack)
            char = _characteristic(client, self._decoder.uuid)
            if char is None:
                raise BleError(
                    f"{result.address} ({result.name}) has no {self._decoder.uuid} "
                    f"characteristic: is it really a {role_label(self.role)} sensor? "
                    "Check the binding ('hiitd scan', 'hiitd pair')"
                )
            self._last_rx = self._clock.now()
            async with asyncio.timeout(GATT_TIMEOUT_S):
                await client.start_notify(char, self._on_measurement)
            stack.push_async_callback(self._stop_notify, client, char)
            self._link_up(result)
            up_at = self._clock.now()
            reason = await wait_for_loss(
                lost, lambda: self._last_rx, self._clock, self._watchdog_s, name=self._task_name
            )
            if reason == WATCHDOG:
                self._log.warning(
                    "ble_watchdog_expired", silent_s=self._clock.now() - self._last_rx
                )
            self._link_down(reason)
            self._backoff.connection_ended(self._clock.now() - up_at)

    async def _find(self) -> tuple[BLEDevice, ScanResult]:
        """Scan afresh (a BLEDevice goes stale) and return the device the policy picks."""
        seen: dict[str, tuple[BLEDevice, ScanResult]] = {}
        extra = scan_args(self._adapter, [ROLE_SERVICE[self.role]])
        async with self._scan_lock:
            await self._scan(seen, extra)
        selection = choose([r for _, r in seen.values()], self.role, self.binding)
        if selection.device is None:
            raise SensorNotFoundError(
                f"{selection.why} within {self._scan_timeout_s:g} s; {not_found_advice(self.role)}"
            )
        self._log.info(
            "sensor_selected",
            address=selection.device.address,
            name=selection.device.name,
            rssi=selection.device.rssi,
            why=selection.why,
        )
        return seen[selection.device.address][0], selection.device

    async def _scan(
        self, seen: dict[str, tuple[BLEDevice, ScanResult]], extra: BleakScanner.ExtraArgs
    ) -> None:
        """Fill ``seen``: until the bound device advertises, else for the full window."""
        if self.binding.is_set:

            def wanted(device: BLEDevice, adv: AdvertisementData) -> bool:
                result = to_scan_result(device, adv)
                seen[device.address] = (device, result)
                # The same pure rule as everywhere: only the bound device, ever.
                return choose([result], self.role, self.binding).device is not None

            # Returns as soon as the bound device advertises: no full scan window.
            await self._scanner_class.find_device_by_filter(
                wanted, timeout=self._scan_timeout_s, **extra
            )
        else:
            found = await self._scanner_class.discover(
                timeout=self._scan_timeout_s, return_adv=True, **extra
            )
            for device, adv in found.values():
                seen[device.address] = (device, to_scan_result(device, adv))

    def _on_measurement(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        t = self._clock.now()
        # Any notification proves the link alive, even a malformed one.
        self._last_rx = t
        sample = self._decoder.decode(bytes(data), t)
        if isinstance(sample, ParseErrorSample):
            self._parse_error(sample)
        elif isinstance(sample, RejectedSample):
            self._rejected([sample.reason.value], sample.value)
        elif isinstance(sample, HeartRateSample) and sample.rejected:
            self._rejected([r.value for r in sample.rejected], None)
        self._emit(sample)

    def _rejected(self, reasons: list[str], value: float | None) -> None:
        # Logged like malformed payloads: the first few at warning, then quietly
        # (a faulty strap sends one a second); diagnostics count every one.
        self.rejected += 1
        level = self._log.warning if self.rejected <= PARSE_ERRORS_LOGGED else self._log.debug
        level("sensor_value_rejected", reasons=reasons, value=value, count=self.rejected)

    def _on_battery(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        sample = decode_battery(self.role, bytes(data), self._clock.now())
        if isinstance(sample, ParseErrorSample):
            self._parse_error(sample)
        self._emit(sample)

    def _parse_error(self, sample: ParseErrorSample) -> None:
        self.parse_errors += 1
        level = self._log.warning if self.parse_errors <= PARSE_ERRORS_LOGGED else self._log.debug
        level(
            "gatt_parse_error",
            uuid=sample.uuid,
            payload_hex=sample.payload_hex,
            error=sample.error,
            count=self.parse_errors,
        )

    async def _read_device_info(self, client: BleakClient, result: ScanResult) -> None:
        """Read the Device Information strings once per device; a missing service is fine."""
        key = result.address.casefold()
        if key in self._info_read:
            return
        fields: dict[str, str] = {}
        for uuid, field in DEVICE_INFO_FIELDS.items():
            char = _characteristic(client, uuid)
            if char is None or "read" not in char.properties:
                continue
            try:
                async with asyncio.timeout(GATT_TIMEOUT_S):
                    fields[field] = parse_device_info_string(await client.read_gatt_char(char))
            except (BleakError, TimeoutError) as exc:
                self._log.debug("ble_device_info_unreadable", uuid=uuid, error=str(exc))
        self._info_read.add(key)
        self._emit(
            device_info_sample(self.role, result.address, result.name, self._clock.now(), fields)
        )

    async def _subscribe_battery(self, client: BleakClient, stack: AsyncExitStack) -> None:
        """Read Battery Level and follow its notifications where offered; optional."""
        char = _characteristic(client, BATTERY_LEVEL)
        if char is None:
            return
        try:
            if "read" in char.properties:
                async with asyncio.timeout(GATT_TIMEOUT_S):
                    self._on_battery(char, await client.read_gatt_char(char))
            if "notify" in char.properties:
                async with asyncio.timeout(GATT_TIMEOUT_S):
                    await client.start_notify(char, self._on_battery)
                stack.push_async_callback(self._stop_notify, client, char)
        except (BleakError, TimeoutError) as exc:
            # Battery is a nicety; a dead link shows up at the measurement subscribe.
            self._log.info("ble_battery_unavailable", error=str(exc))

    async def _stop_notify(self, client: BleakClient, char: BleakGATTCharacteristic) -> None:
        # Notifications stop by themselves on disconnect (bleak's stop_notify
        # docstring); asking a dead link only produces errors.
        if not client.is_connected:
            return
        try:
            async with asyncio.timeout(DISCONNECT_TIMEOUT_S):
                await client.stop_notify(char)
        except BLE_FAILURES as exc:
            self._log.debug("ble_stop_notify_failed", error=str(exc))

    async def _disconnect(self, client: BleakClient) -> None:
        try:
            async with asyncio.timeout(DISCONNECT_TIMEOUT_S):
                await client.disconnect()
        except BLE_FAILURES as exc:
            self._log.warning("ble_disconnect_failed", error=str(exc))

    def _link_up(self, result: ScanResult) -> None:
        self._up = result
        self.connections += 1
        self._log.info("ble_link_up", address=result.address, name=result.name)
        self._emit_link(Link.UP, result, "")

    def _link_down(self, reason: str) -> None:
        """Emit DOWN once per UP; losing a link that never came up says nothing new."""
        result, self._up = self._up, None
        if result is not None:
            self._log.warning("ble_link_down", address=result.address, reason=reason)
            self._emit_link(Link.DOWN, result, reason)

    def _emit_link(self, link: Link, result: ScanResult, reason: str) -> None:
        t = self._clock.now()
        self._emit(LinkSample(t, self.role, link, result.address, result.name, reason))
