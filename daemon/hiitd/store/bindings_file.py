"""Which device is the runner's strap and footpod: ``hiitd pair`` writes it, ``run`` reads it.

Stored as ``bindings.json`` in the state directory. An address or name in the
configuration file wins over the stored binding, so a managed install can pin
devices in ``/etc/hiitd/hiitd.toml``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from hiitd.errors import ConfigError
from hiitd.store.json_file import write_atomic
from hiitd_drivers.samples import Role

if TYPE_CHECKING:
    from pathlib import Path

    from hiitd.settings import Settings

FILE_NAME = "bindings.json"


@dataclass(frozen=True, slots=True)
class StoredBinding:
    """A device bound to a role."""

    address: str | None = None
    name: str | None = None

    @property
    def empty(self) -> bool:
        """True when nothing is bound."""
        return self.address is None and self.name is None


def load(state_dir: Path) -> dict[Role, StoredBinding]:
    """Read the stored bindings; a missing file means none."""
    path = state_dir / FILE_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: unreadable bindings ({exc}); re-run 'hiitd pair'") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a JSON object; re-run 'hiitd pair'")
    out: dict[Role, StoredBinding] = {}
    for key, value in raw.items():
        try:
            role = Role(key)
        except ValueError:
            raise ConfigError(f"{path}: unknown role {key!r} (hr or footpod)") from None
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: {key} must be an object with address and name")
        out[role] = StoredBinding(address=value.get("address"), name=value.get("name"))
    return out


def save(state_dir: Path, bindings: dict[Role, StoredBinding]) -> Path:
    """Write the bindings atomically (a power cut never leaves half a file)."""
    path = state_dir / FILE_NAME
    data = {role.value: asdict(b) for role, b in sorted(bindings.items()) if not b.empty}
    write_atomic(path, data, indent=2)
    return path


def effective(settings: Settings) -> dict[Role, StoredBinding]:
    """The binding for each role: configuration first, then what ``pair`` stored."""
    stored = load(settings.storage.state_dir)
    out: dict[Role, StoredBinding] = {}
    for role, sensor in ((Role.HR, settings.ble.hr), (Role.FOOTPOD, settings.ble.footpod)):
        if sensor.address or sensor.name:
            out[role] = StoredBinding(address=sensor.address, name=sensor.name)
        else:
            out[role] = stored.get(role, StoredBinding())
    return out
