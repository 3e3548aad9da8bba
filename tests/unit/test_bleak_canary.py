"""Conformance canary: the installed bleak and bleak-retry-connector still offer what ble/ uses.

The link tests run on fakes, and fakes always agree with the code that was
written against them. These checks read the real signatures, so an upgrade
that renames a parameter or drops a method fails here, naming it, instead of
on a runner's Pi.
"""

from __future__ import annotations

import contextlib
import inspect
import warnings

import bleak_retry_connector
import pytest
from bleak import BleakClient, BleakScanner
from bleak.args.bluez import BlueZScannerArgs
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.backends.service import BleakGATTServiceCollection
from bleak.exc import BleakBluetoothNotAvailableError, BleakDBusError, BleakError


def params(func) -> inspect.Signature:
    return inspect.signature(func)


def test_establish_connection_takes_client_class_device_name_callback_attempts_and_kwargs():
    """establish_connection(client_class, device, name, disconnected_callback=, max_attempts=)."""
    sig = params(bleak_retry_connector.establish_connection)
    names = list(sig.parameters)
    assert names[:3] == ["client_class", "device", "name"]
    assert "disconnected_callback" in sig.parameters
    assert "max_attempts" in sig.parameters
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values()), (
        "ble/sensor_link.py passes bluez={'adapter': ...} through **kwargs to the client class"
    )
    assert inspect.iscoroutinefunction(bleak_retry_connector.establish_connection)


def test_establish_connection_builds_the_client_with_the_arguments_our_fake_accepts():
    """The client is built as client_class(device, disconnected_callback=...) and connected."""
    source = inspect.getsource(bleak_retry_connector.establish_connection)
    assert "client_class(" in source
    assert "disconnected_callback=disconnected_callback" in source
    assert "await client.connect(" in source


def test_bleak_client_accepts_disconnected_callback_and_bluez_args():
    """BleakClient(device, disconnected_callback, ..., bluez=...); adapter= is no parameter."""
    sig = params(BleakClient.__init__)
    assert list(sig.parameters)[1:3] == ["address_or_ble_device", "disconnected_callback"]
    assert "bluez" in sig.parameters
    assert "adapter" not in sig.parameters


def test_bleak_client_has_the_gatt_operations_used():
    """start_notify(char, callback), stop_notify, read_gatt_char, disconnect, services exist."""
    for name in ("start_notify", "stop_notify", "read_gatt_char", "disconnect", "connect"):
        assert inspect.iscoroutinefunction(getattr(BleakClient, name)), name
    assert list(params(BleakClient.start_notify).parameters)[1:3] == ["char_specifier", "callback"]
    assert isinstance(inspect.getattr_static(BleakClient, "is_connected"), property)
    assert isinstance(inspect.getattr_static(BleakClient, "services"), property)


def test_scanner_classmethods_take_timeout_and_scanner_kwargs():
    """discover(timeout, return_adv=, **kw) and find_device_by_filter(filterfunc, timeout, **kw)."""
    discover = params(BleakScanner.discover)
    assert {"timeout", "return_adv"} <= set(discover.parameters)
    find = params(BleakScanner.find_device_by_filter)
    assert list(find.parameters)[:2] == ["filterfunc", "timeout"]
    extra = BleakScanner.ExtraArgs.__annotations__
    assert {"service_uuids", "bluez"} <= set(extra)
    assert "adapter" in BlueZScannerArgs.__annotations__


def test_characteristic_and_service_collection_shape():
    """Characteristics carry uuid and properties; the collection maps handles to characteristics."""
    assert isinstance(inspect.getattr_static(BleakGATTCharacteristic, "properties"), property)
    assert isinstance(inspect.getattr_static(BleakGATTCharacteristic, "uuid"), property)
    assert isinstance(
        inspect.getattr_static(BleakGATTServiceCollection, "characteristics"), property
    )


def test_advertisement_and_device_fields():
    """AdvertisementData has local_name, service_uuids, rssi; BLEDevice has address and name."""
    assert {"local_name", "service_uuids", "rssi"} <= set(AdvertisementData._fields)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        device = BLEDevice("AA:BB:CC:DD:EE:FF", "x", {})
    assert (device.address, device.name) == ("AA:BB:CC:DD:EE:FF", "x")


def test_error_types_ble_py_translates():
    """BleakDBusError exposes dbus_error; the not-available error is still a BleakError."""
    err = BleakDBusError("org.bluez.Error.InProgress", ["Operation already in progress"])
    assert err.dbus_error == "org.bluez.Error.InProgress"
    assert issubclass(BleakBluetoothNotAvailableError, BleakError)
    assert issubclass(bleak_retry_connector.BleakNotFoundError, BleakError)


def test_adapter_keyword_is_deprecated_so_we_use_bluez_args():
    """adapter= to BleakScanner warns (an error under filterwarnings), hence bluez=."""
    with pytest.warns(DeprecationWarning, match="adapter"):
        scanner_with_adapter_kwarg()


def scanner_with_adapter_kwarg() -> None:
    # The warning is raised before the backend is built; a host without BlueZ
    # may then fail in the backend, which is not what this test is about.
    with contextlib.suppress(BleakError, OSError):
        BleakScanner(adapter="hci0")
