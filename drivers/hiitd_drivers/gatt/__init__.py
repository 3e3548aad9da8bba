"""Pure GATT parsers and encoders: bytes in, frozen values out (no I/O, stdlib only)."""

from hiitd_drivers.gatt.encode import encode_battery, encode_heart_rate, encode_rsc

__all__ = ["encode_battery", "encode_heart_rate", "encode_rsc"]
