"""Device Information Service parsers (DIS v1.1, §3): the UTF-8 string characteristics.

The strings are utf8s (GATT Specification Supplement): no terminator is
required, but many devices pad with NULs or send a C string with its terminator,
some send a fixed-size buffer with garbage after the terminator, and some send
bytes that are not UTF-8 at all. A name is for display and logs, so decoding
never fails: the text ends at the first NUL, bad bytes become U+FFFD, and
trailing whitespace is stripped.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from hiitd_drivers.gatt.uuids import (
    FIRMWARE_REVISION,
    HARDWARE_REVISION,
    MANUFACTURER_NAME,
    MODEL_NUMBER,
    SERIAL_NUMBER,
    SOFTWARE_REVISION,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hiitd_drivers.gatt._types import Payload

__all__ = ["DEVICE_INFO_FIELDS", "parse_device_info_string"]

# Full characteristic UUID (as bleak reports it) -> the DeviceInfoSample field it fills.
DEVICE_INFO_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        MANUFACTURER_NAME: "manufacturer",
        MODEL_NUMBER: "model",
        SERIAL_NUMBER: "serial",
        HARDWARE_REVISION: "hardware",
        FIRMWARE_REVISION: "firmware",
        SOFTWARE_REVISION: "software",
    }
)


def parse_device_info_string(payload: Payload) -> str:
    """Decode a DIS string: UTF-8 up to the first NUL, errors replaced, trailing whitespace cut."""
    text = bytes(payload).split(b"\x00", 1)[0]
    return text.decode("utf-8", errors="replace").rstrip()
