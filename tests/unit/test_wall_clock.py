"""What the daemon believes of a Pi's wall clock: sync state, retention guards, resume gaps."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from hiitd.coach.session_resume import ResumePoint
from hiitd.runtime.wall_clock import (
    DAY_S,
    StepWatch,
    Sync,
    boot_id,
    judge,
    retention_blocked,
    sync_state,
)
from hiitd.store import resume_file

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

NOW = 1.8e9


def test_timesyncds_flag_file_says_synchronised_its_folder_alone_says_not_yet(
    tmp_path: Path,
) -> None:
    """No folder: unknown; the folder: unsynchronized; the flag file: synchronized."""
    flag = tmp_path / "timesync" / "synchronized"
    assert sync_state(flag) is Sync.UNKNOWN
    flag.parent.mkdir()
    assert sync_state(flag) is Sync.UNSYNCHRONIZED
    flag.touch()
    assert sync_state(flag) is Sync.SYNCHRONIZED


def test_a_clock_behind_the_newest_record_is_not_believed_unless_synchronised() -> None:
    """Behind the store's newest time: distrusted when unknown, believed when synchronised."""
    assert judge(Sync.UNKNOWN, NOW - 10, NOW).distrust is not None
    assert judge(Sync.SYNCHRONIZED, NOW - 10, NOW).distrust is None
    assert judge(Sync.UNKNOWN, NOW + 10, NOW).distrust is None
    assert judge(Sync.UNSYNCHRONIZED, NOW + 10, NOW).to_payload() == {
        "clock": "unsynchronized",
        "clock_note": "not synchronised yet (timesyncd has no sync)",
    }


def test_retention_waits_for_a_believable_clock_within_a_day_of_the_newest_session() -> None:
    """Not while unsynchronised or behind, never 400 days ahead; a normal day prunes."""
    newest = NOW
    assert retention_blocked(judge(Sync.UNKNOWN, NOW + 3600, newest), NOW + 3600, newest) is None
    ahead = NOW + 400 * DAY_S
    assert "more than a day beyond" in str(
        retention_blocked(judge(Sync.UNKNOWN, ahead, newest), ahead, newest)
    )
    assert "not synchronised" in str(
        retention_blocked(judge(Sync.UNSYNCHRONIZED, NOW, newest), NOW, newest)
    )
    assert "behind" in str(retention_blocked(judge(Sync.UNKNOWN, NOW - 1, newest), NOW - 1, newest))
    assert retention_blocked(judge(Sync.UNKNOWN, NOW, None), NOW, None) is None


def test_a_step_of_the_wall_clock_is_noticed_once() -> None:
    """The wall clock jumps 9 hours against the monotonic one: reported once, then quiet."""
    wall, mono = [NOW], [100.0]
    watch = StepWatch(lambda: wall[0], lambda: mono[0])
    wall[0] += 1.0
    mono[0] += 1.0
    assert watch.stepped() is None
    wall[0] += 9 * 3600 + 1.0
    mono[0] += 1.0
    assert watch.stepped() == 9 * 3600
    assert watch.stepped() is None


def test_the_downtime_is_measured_on_the_monotonic_clock_of_one_boot(tmp_path: Path) -> None:
    """Same boot: the real gap; another boot or an old file without it: unknown (inf)."""
    point = ResumePoint("4x4", "s1-abc", 2, 30.0, 900.0, 2500.0)
    resume_file.write(tmp_path, point, wall=NOW, boot="boot-a", mono=500.0, rate=1.0)
    stored = resume_file.read(tmp_path, "s1-abc")
    assert stored is not None
    assert stored.point == point
    assert stored.gap_s("boot-a", 512.5) == 12.5
    assert stored.gap_s("boot-b", 512.5) == math.inf
    assert resume_file.read(tmp_path, "another") is None
    (tmp_path / resume_file.FILE_NAME).write_text(
        json.dumps({"wall": NOW, "point": point.to_payload()}), encoding="utf-8"
    )
    old = resume_file.read(tmp_path, "s1-abc")
    assert old is not None
    assert old.gap_s("boot-a", 512.5) == math.inf


def test_this_machine_has_a_boot_id() -> None:
    """Linux says which boot this is (the daemon compares it across a restart)."""
    assert boot_id() is not None


def test_a_wall_clock_stepping_back_does_not_stop_the_state_refresh(tmp_path: Path) -> None:
    """The Pi's clock jumps back an hour mid-session: session/state still comes every second."""
    from hiitd.coach.coach_config import CoachConfig  # noqa: PLC0415
    from hiitd.coach.engine import Engine  # noqa: PLC0415
    from hiitd.coach.profile import AthleteProfile  # noqa: PLC0415
    from hiitd.mqtt.topics import Topics  # noqa: PLC0415
    from hiitd.runtime.coach_service import Coach  # noqa: PLC0415
    from hiitd.store.workout_catalog import WorkoutCatalog  # noqa: PLC0415

    profile = AthleteProfile(190, False, 55, None, 3.9, None)
    topics = Topics("hiitd", "athlete")
    clock = {"now": 0.0, "wall": NOW}
    coach = Coach(
        Engine(profile, CoachConfig(countdown_s=0)),
        WorkoutCatalog(tmp_path, profile),
        topics,
        wall=lambda: clock["wall"],
        monotonic=lambda: clock["now"],
    )
    coach.on_command("start", b"norwegian-4x4", 0.0)
    states = []
    for second in range(1, 21):
        clock["now"] = float(second)
        clock["wall"] = NOW + second - (3600.0 if second > 10 else 0.0)
        out = coach.on_tick(clock["now"])
        states += [o for o in out if o.topic == topics.session_state]
    assert len(states) >= 19, "one state a second, before and after the clock stepped back"


def test_without_proc_sys_the_boot_id_is_a_token_in_the_runtime_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ProcSubset=pid the token in $RUNTIME_DIRECTORY is the boot id, the same each call."""
    monkeypatch.setenv("RUNTIME_DIRECTORY", str(tmp_path))
    hidden = tmp_path / "no-proc" / "boot_id"
    first = boot_id(hidden)
    assert first is not None
    assert boot_id(hidden) == first
    monkeypatch.delenv("RUNTIME_DIRECTORY")
    assert boot_id(hidden) is None
