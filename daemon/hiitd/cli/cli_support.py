"""Small pieces shared by the command modules: exit codes, JSON output, settings."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from hiitd.errors import ConfigError
from hiitd.settings import Settings, describe_validation_error, load_settings

if TYPE_CHECKING:
    import argparse

# sysexits.h
EX_OK = 0
EX_FAILURE = 1
EX_USAGE = 64
EX_DATAERR = 65
EX_UNAVAILABLE = 69
EX_CANTCREAT = 73  # a file or folder the command needs cannot be made or written
EX_CONFIG = 78
EX_INTERRUPTED = 130


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from --config, the environment and --broker."""
    overrides: dict[str, Any] = {}
    if getattr(args, "broker", None):
        overrides["mqtt"] = {"url": args.broker}
    settings = load_settings(getattr(args, "config", None))
    if overrides:
        # Layer CLI flags over file + environment without losing either.
        merged = settings.model_dump()
        for section, values in overrides.items():
            merged[section] = {**merged[section], **values}
        try:
            settings = Settings.model_validate(merged)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, "--broker")) from exc
    return settings


def print_json(obj: object) -> None:
    """Write one JSON document as a line on stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def file_error_line(exc: OSError) -> str:
    """One line for a file the command could not use: which, why, and the fix."""
    path = exc.filename
    if isinstance(exc, FileNotFoundError):
        return (
            f"{path} does not exist: make the state directory with 'sudo ./dev install' "
            "(or point storage.state_dir / STATE_DIRECTORY at one)"
        )
    if isinstance(exc, PermissionError):
        return (
            f"cannot use {path}: permission denied. Run it as the daemon's user "
            "('sudo -u hiitd hiitd ...'), or join group hiitd "
            "('sudo ./dev install --add-user $USER', then log in again)"
        )
    return f"cannot use {path}: {exc.strerror or exc}"
