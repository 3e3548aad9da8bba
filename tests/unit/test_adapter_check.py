"""rfkill as the kernel shows it in /sys/class/rfkill (a tree made here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiitd_drivers.ble.adapter_check import rfkill_blocked

if TYPE_CHECKING:
    from pathlib import Path


def _switch(root: Path, n: int, kind: str, name: str, *, soft: int, hard: int) -> None:
    d = root / f"rfkill{n}"
    d.mkdir(parents=True)
    for key, value in (("type", kind), ("name", name), ("soft", soft), ("hard", hard)):
        (d / key).write_text(f"{value}\n", encoding="utf-8")


def test_only_bluetooth_switches_that_are_on_are_named(tmp_path: Path) -> None:
    _switch(tmp_path, 0, "wlan", "phy0", soft=1, hard=0)
    _switch(tmp_path, 1, "bluetooth", "hci0", soft=0, hard=0)
    assert rfkill_blocked(tmp_path) == []
    _switch(tmp_path, 2, "bluetooth", "hci1", soft=1, hard=1)
    assert rfkill_blocked(tmp_path) == ["hci1: soft", "hci1: hard"]
    assert rfkill_blocked(tmp_path / "absent") == []
