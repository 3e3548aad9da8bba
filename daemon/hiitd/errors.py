"""The daemon's error hierarchy: one root, messages that say what to do."""

from __future__ import annotations


class HiitdError(Exception):
    """Root of every error raised by ``hiitd``."""


class ConfigError(HiitdError):
    """The configuration is invalid; start-up stops with exit status 78 (EX_CONFIG)."""


class MqttError(HiitdError):
    """The broker could not be reached, refused us, or the link broke."""
