"""Runs recorded elsewhere: a FIT activity from a watch or phone, kept as a session.

Used by ``hiitd sessions import FILE...`` and the watched import folder
(runtime/import_folder.py). One file goes through the same path as
``hiitd replay`` (runtime/replay_session.py: the driver's FIT reader, the real
engine on a free run, the record builder, ``compute_metrics``), then:

- its record takes the file's laps as steps (open targets, not scored by the
  coach: ``unscored``), loses the cues (nobody heard them) and gets an id of its
  own, ``i<UTC start>-<sha256 prefix>``;
- its metrics are computed again on that record, as the post-session analysis
  does for a live one, so TRIMP and HRSS feed the planner's load (without a
  workout it counts as a free run: store/plan_history.py);
- it is stored whole in one transaction with its origin (store/imports.py): the
  file's sha256, name, device and sport. The same bytes imported again are
  refused with the session they became.

Refused, with the file named and nothing stored: a file that cannot be read or
is no FIT activity (truncated, damaged, a workout), no timed records, no
wall-clock start (device-relative timestamps), an activity that is not a
run (``sport`` other than ``running``: cycling, walking, ... are not counted
as running load, and there is no cross-training model yet), and a run whose
time overlaps a stored session by a minute or more (the same run recorded by
hiitd and a watch, or a session exported and imported again: it would count twice).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hiitd.errors import HiitdError
from hiitd.metrics import compute_metrics
from hiitd.record.session_record import SessionStatus, StepRecord
from hiitd.runtime.post_session import key_figures
from hiitd.runtime.replay_session import replay_file
from hiitd.store.imports import ImportOrigin
from hiitd_drivers.driver_errors import ReplayError

if TYPE_CHECKING:
    from hiitd.record.session_record import SessionRecord
    from hiitd.settings import Settings
    from hiitd.store.db import Store
    from hiitd_drivers.fit_replay_meta import ReplayLap

SOURCE = "import"
RUNNING_SPORTS = frozenset({"running"})
UNSCORED = "imported: laps have no target"
# Two sessions sharing this much time are one run recorded twice (a watch beside hiitd).
OVERLAP_S = 60.0

Status = Literal["imported", "duplicate", "failed"]


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What became of one file: imported, a duplicate of a session, or failed (why)."""

    file: str
    status: Status
    message: str
    session_id: str | None = None
    start_wall: float | None = None
    duration_s: float | None = None
    distance_m: float | None = None
    device: str | None = None
    sport: str | None = None
    sub_sport: str | None = None
    hrss: float | None = None
    trimp: float | None = None
    samples: int = 0
    wall_s: float = 0.0  # how long the import took

    @property
    def ok(self) -> bool:
        """Imported now or before: the file's run is in the history."""
        return self.status != "failed"

    def to_payload(self) -> dict[str, Any]:
        """The ``--json`` document of one file (also the MQTT notice's body)."""
        return {
            "file": self.file,
            "status": self.status,
            "message": self.message,
            "session_id": self.session_id,
            "source": SOURCE,
            "start_wall": self.start_wall,
            "duration_s": _r(self.duration_s),
            "distance_m": _r(self.distance_m),
            "device": self.device,
            "sport": self.sport,
            "sub_sport": self.sub_sport,
            "hrss": _r(self.hrss),
            "trimp": _r(self.trimp),
            "samples": self.samples,
            "import_wall_s": round(self.wall_s, 3),
        }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def file_sha256(data: bytes) -> str:
    """The hex sha256 that tells a file imported before."""
    return hashlib.sha256(data).hexdigest()


def import_fit(
    path: str | Path, settings: Settings, store: Store, *, wall: float | None = None
) -> ImportOutcome:
    """Import one FIT activity into ``store``; never raises for a bad file (``failed``).

    A ``StoreError`` (the store itself cannot be written) is raised: that is no
    fault of the file.
    """
    started = time.perf_counter()
    name = str(path)

    def failed(reason: str) -> ImportOutcome:
        msg = f"{name}: not imported: {reason}"
        return ImportOutcome(name, "failed", msg, wall_s=time.perf_counter() - started)

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return failed(f"cannot read the file ({exc.strerror or exc})")
    sha = file_sha256(data)
    if (before := store.imported_as(sha)) is not None:
        msg = f"{name}: already imported as session {before}: nothing changed"
        return ImportOutcome(
            name, "duplicate", msg, session_id=before, wall_s=time.perf_counter() - started
        )
    try:
        result = replay_file(path, settings)
    except ReplayError as exc:
        return failed(exc.reason)
    except (HiitdError, ValueError) as exc:
        return failed(str(exc))
    src = result.source
    if src.sport not in RUNNING_SPORTS:
        sport = src.sport or "not given"
        return failed(f"sport {sport}/{src.sub_sport or 'generic'}: only runs are imported")
    if result.record is None or result.samples == 0:
        return failed("no records with a timestamp: nothing to import")
    if src.start_utc is None:
        return failed("timestamps are relative to the device's power-on: no wall-clock start")
    record = imported_record(result.record, src.laps, sha, src.start_utc)
    start, end = record.start_wall, record.start_wall + record.duration_s
    if same := store.overlapping(start, end, OVERLAP_S):
        return failed(
            f"its time overlaps session {', '.join(same)} (the same run recorded twice,"
            " by hiitd and a watch, or exported and imported again): it would count twice"
        )
    metrics = compute_metrics(record).to_payload()
    origin = ImportOrigin(
        sha256=sha,
        file_name=Path(path).name,
        device=src.device,
        sport=src.sport,
        sub_sport=src.sub_sport,
        imported_wall=time.time() if wall is None else wall,
    )
    summary = summary_of(record, metrics, origin)
    session_id, new = store.import_session(record, summary, metrics, origin, wall=wall)
    if not new:  # imported meanwhile (another process)
        msg = f"{name}: already imported as session {session_id}: nothing changed"
        return ImportOutcome(
            name, "duplicate", msg, session_id=session_id, wall_s=time.perf_counter() - started
        )
    load = metrics.get("load") or {}
    distance = metrics.get("distance_m")
    km = f"{distance / 1000:.2f} km" if isinstance(distance, int | float) else "no distance"
    return ImportOutcome(
        name,
        "imported",
        f"{name}: imported as session {session_id} ({src.device or 'unknown device'},"
        f" {record.duration_s / 60:.0f} min, {km})",
        session_id=session_id,
        start_wall=record.start_wall,
        duration_s=record.duration_s,
        distance_m=distance if isinstance(distance, int | float) else None,
        device=src.device,
        sport=src.sport,
        sub_sport=src.sub_sport,
        hrss=load.get("hrss"),
        trimp=load.get("trimp"),
        samples=result.samples,
        wall_s=time.perf_counter() - started,
    )


def imported_session_id(start_utc: datetime, sha256: str) -> str:
    """``i20130206-121114-3fa2c1``: the file's UTC start and the first digits of its sha256."""
    return f"i{start_utc.astimezone(UTC):%Y%m%d-%H%M%S}-{sha256[:6]}"


def imported_record(
    record: SessionRecord, laps: tuple[ReplayLap, ...], sha256: str, start_utc: datetime
) -> SessionRecord:
    """The replayed record as an imported session: its laps as steps, no cues, its own id."""
    steps = lap_steps(laps, record.duration_s) or tuple(
        replace(s, unscored=UNSCORED, in_s=None, below_s=None, above_s=None, gap_s=None)
        for s in record.steps
    )
    return replace(
        record,
        session_id=imported_session_id(start_utc, sha256),
        workout=None,  # a free run: the planner counts it so (plan/intensity.py)
        status=SessionStatus.FINISHED,  # the whole activity, as the watch saved it
        steps=steps,
        cues=(),  # nobody heard the replay's cues
    )


def lap_steps(laps: tuple[ReplayLap, ...], end_t: float) -> tuple[StepRecord, ...]:
    """The file's laps as open, unscored steps (intensity as the watch wrote it)."""
    n = len(laps)
    return tuple(
        StepRecord(
            index=i,
            name=f"Lap {i + 1}",
            label=f"Lap {i + 1} of {n}",
            intensity=lap.intensity or "active",
            start_t=max(0.0, lap.start_t),
            end_t=min(max(lap.end_t, lap.start_t), max(end_t, lap.start_t)),
            duration_type="open",
            duration_value=None,
            target_type="open",
            target_low=None,
            target_high=None,
            ended_by="lap",
            unscored=UNSCORED,
        )
        for i, lap in enumerate(laps)
    )


def summary_of(
    record: SessionRecord, metrics: dict[str, Any], origin: ImportOrigin
) -> dict[str, Any]:
    """The stored summary: where the session came from and the result's key figures."""
    return {
        "id": record.session_id,
        "session_id": record.session_id,
        "workout": None,
        "source": SOURCE,
        "file": origin.file_name,
        "device": origin.device,
        "sport": origin.sport,
        "sub_sport": origin.sub_sport,
        "sha256": origin.sha256,
        "start_wall": record.start_wall,
        "end_wall": record.start_wall + (record.end_t or 0.0),
        "status": record.status.value,
        "completed": True,
        "compliance_pct": None,
        "analysed": True,
        **key_figures(metrics),
        "metrics": metrics,
    }
