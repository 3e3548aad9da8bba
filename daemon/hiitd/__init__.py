"""hiitd: a headless interval-running coach (BLE sensors in, MQTT out)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hiitd")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
