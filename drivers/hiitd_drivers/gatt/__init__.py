"""Pure GATT parsers and encoders: bytes in, frozen values out (no I/O, stdlib only).

Every parser raises only ``hiitd_drivers.driver_errors.GattParseError`` on a malformed
payload, so a driver can count, log and drop it with one ``except``.
"""

from hiitd_drivers.gatt.battery import parse_battery_level
from hiitd_drivers.gatt.decode import decode_payload, parse_hex
from hiitd_drivers.gatt.device_info import DEVICE_INFO_FIELDS, parse_device_info_string
from hiitd_drivers.gatt.encode import encode_battery, encode_heart_rate, encode_rsc
from hiitd_drivers.gatt.heart_rate import (
    BodySensorLocation,
    HeartRateMeasurement,
    parse_body_sensor_location,
    parse_heart_rate,
)
from hiitd_drivers.gatt.rsc import RscFeature, RscMeasurement, parse_rsc, parse_rsc_feature
from hiitd_drivers.gatt.uuids import normalize_uuid, short_uuid

__all__ = [
    "DEVICE_INFO_FIELDS",
    "BodySensorLocation",
    "HeartRateMeasurement",
    "RscFeature",
    "RscMeasurement",
    "decode_payload",
    "encode_battery",
    "encode_heart_rate",
    "encode_rsc",
    "normalize_uuid",
    "parse_battery_level",
    "parse_body_sensor_location",
    "parse_device_info_string",
    "parse_heart_rate",
    "parse_hex",
    "parse_rsc",
    "parse_rsc_feature",
    "short_uuid",
]
