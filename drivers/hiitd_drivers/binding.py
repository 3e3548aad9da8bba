"""Which advertising device is which sensor: pure, no bleak, no I/O.

``hiitd scan`` and ``hiitd pair`` list what advertises; ``run`` takes one device
per role. The rule that matters (docs/architecture.md, Principles 2: honest data): with a
binding, only the bound device is ever taken. In a gym or at a club track
several people wear the same strap model; silently coaching on a stranger's
heart rate is worse than saying "no data".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiitd_drivers.gatt.uuids import HEART_RATE_SERVICE, RSC_SERVICE, normalize_uuid
from hiitd_drivers.samples import Role

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "ROLE_SERVICE",
    "Binding",
    "ScanResult",
    "Selection",
    "choose",
    "classify",
    "role_label",
    "scan_result",
    "select_device",
    "sort_by_signal",
]

# The service a role is recognised (and scanned) by.
ROLE_SERVICE: dict[Role, str] = {Role.HR: HEART_RATE_SERVICE, Role.FOOTPOD: RSC_SERVICE}

_ROLE_LABEL: dict[Role, str] = {Role.HR: "heart-rate", Role.FOOTPOD: "footpod"}


def role_label(role: Role) -> str:
    """Return the human name of a role for messages: ``heart-rate`` or ``footpod``."""
    return _ROLE_LABEL[role]


@dataclass(frozen=True, slots=True)
class ScanResult:
    """One advertising device as a scan saw it; ``services`` are full lowercase UUIDs."""

    address: str
    name: str | None
    rssi: int
    services: tuple[str, ...] = ()
    role: Role | None = None


@dataclass(frozen=True, slots=True)
class Binding:
    """The device a role is bound to, from the config or ``hiitd pair``.

    ``address`` wins over ``name`` when both are set: names are model names
    ("Polar H10 ...") shared by many straps, addresses are not.
    """

    address: str | None = None
    name: str | None = None

    @property
    def is_set(self) -> bool:
        """Return whether anything is bound (an empty binding means "take the strongest")."""
        return bool(self.address) or bool(self.name)

    def matches(self, result: ScanResult) -> bool:
        """Return whether ``result`` is the bound device (never a look-alike)."""
        if self.address:
            # BlueZ reports upper case, people paste lower case.
            return result.address.casefold() == self.address.casefold()
        if self.name:
            return result.name == self.name
        return False


@dataclass(frozen=True, slots=True)
class Selection:
    """The device taken for a role (or None) and a short human reason for the log."""

    device: ScanResult | None
    why: str


def classify(uuids: Iterable[str]) -> Role | None:
    """Return the role advertised by these service UUIDs, or None.

    Heart rate wins when a device advertises both services: multi-sport straps
    and watches broadcasting HR sometimes add RSC, but a footpod never
    advertises the Heart Rate Service. Unparseable UUIDs are ignored: an
    advertisement is untrusted radio input.
    """
    seen: set[str] = set()
    for text in uuids:
        try:
            seen.add(normalize_uuid(text))
        except ValueError:
            continue
    if HEART_RATE_SERVICE in seen:
        return Role.HR
    if RSC_SERVICE in seen:
        return Role.FOOTPOD
    return None


def scan_result(
    address: str, name: str | None, rssi: int, service_uuids: Iterable[str]
) -> ScanResult:
    """Return the result for one advertisement; unparseable service UUIDs are dropped."""
    services: list[str] = []
    for text in service_uuids:
        try:
            services.append(normalize_uuid(text))
        except ValueError:
            continue
    return ScanResult(address, name, rssi, tuple(services), classify(services))


def sort_by_signal(results: Iterable[ScanResult]) -> list[ScanResult]:
    """Return the results strongest first; the address breaks ties so output is stable."""
    return sorted(results, key=lambda r: (-r.rssi, r.address.casefold()))


def choose(results: Sequence[ScanResult], role: Role, binding: Binding) -> Selection:
    """Pick the device for ``role`` and say why.

    With a binding only the bound device can be taken, whatever it advertises
    (the user chose it; some pods put their service UUID in the scan response
    only). Without one, the strongest device advertising the role's service.
    """
    label = role_label(role)
    if binding.is_set:
        what = f"address {binding.address}" if binding.address else f"name {binding.name!r}"
        bound = [r for r in sort_by_signal(results) if binding.matches(r)]
        if not bound:
            others = len(results)
            return Selection(None, f"bound {what} not seen ({others} other device(s) ignored)")
        return Selection(bound[0], f"bound {what} ({bound[0].rssi} dBm)")
    candidates = [r for r in sort_by_signal(results) if r.role is role]
    if not candidates:
        return Selection(None, f"no {label} device seen")
    best = candidates[0]
    if len(candidates) == 1:
        return Selection(best, f"only {label} device ({best.rssi} dBm)")
    return Selection(best, f"strongest of {len(candidates)} {label} devices ({best.rssi} dBm)")


def select_device(results: Sequence[ScanResult], role: Role, binding: Binding) -> ScanResult | None:
    """Return the device to use for ``role``: the bound one only, else the strongest."""
    return choose(results, role, binding).device
