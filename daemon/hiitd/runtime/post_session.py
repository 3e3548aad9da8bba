"""After each session: its metrics, the result, the stored summary, the chart and FIT file.

The coach hands over the finished session's result (``take_result``), which
goes out at once, bare (``analysed: false``), through the outlet (the durable
outbox). This task then keeps the session's last checkpoint, runs the analysis
in a child process (runtime/analysis_child.py: its memory goes back to the
system when it exits; a hung one is killed after ``analysis_timeout_s``) and
sends the same result again, same ``id``, with its metrics (``analysed:
true``), so a consumer replaces it; and the chart, retained, to
``session/chart``. Whatever fails in the analysis or in encoding its output,
the bare result stands and the daemon goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import structlog

from hiitd.errors import HiitdError
from hiitd.runtime.analysis_child import Job, analyse_in_child
from hiitd.runtime.coach_service import result_message

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.mqtt.topics import Topics
    from hiitd.record.session_record import SessionRecord
    from hiitd.runtime.outlet import Outlet
    from hiitd.runtime.recording_service import RecordingService
    from hiitd_drivers.clock import Clock

log = structlog.get_logger(__name__)

# The analysis of a 2.8-hour session takes about 1 s here and 10-20 s on a
# Raspberry Pi Zero 2: a minute plus a minute per hour of session is ample; a
# child that takes longer is hung, and is killed (the bare result stands).
ANALYSIS_BASE_S: Final = 60.0
ANALYSIS_PER_HOUR_S: Final = 60.0


@dataclass
class _Finished:
    record: SessionRecord  # its points are views on the builder's columns
    result: dict[str, Any]  # the engine's summary; the metrics are added after the analysis


class PostSession:
    """Publishes each finished session's result at once, then again with its metrics."""

    def __init__(
        self,
        recording: RecordingService,
        clock: Clock,
        outlet: Outlet,
        topics: Topics,
        on_kept: Callable[[str], None],
        *,
        base_timeout_s: float = ANALYSIS_BASE_S,
    ) -> None:
        """``on_kept`` is told each session id once its summary and metrics are stored."""
        self._recording = recording
        self._clock = clock
        self._outlet = outlet
        self._topics = topics
        self._on_kept = on_kept
        self._base_timeout_s = base_timeout_s
        self._finished: asyncio.Queue[_Finished] = asyncio.Queue()

    def take_result(self, body: dict[str, Any]) -> dict[str, Any]:
        """The session ended: the result the coach publishes now, bare; again once analysed."""
        record = self._recording.recorder.builder.record()
        if record is None:
            return body  # nothing recorded: nothing to analyse
        result = {
            **body,
            # The same id both times: a consumer replaces the result, it does not add one.
            "id": record.session_id,
            "start_wall": record.start_wall,
            "end_wall": record.start_wall + (record.end_t or 0.0),
            "status": record.status.value,
            "analysed": False,
        }
        self._finished.put_nowait(_Finished(record, result))
        return result

    async def drained(self) -> None:
        """Return once every finished session is analysed and its result sent."""
        await self._finished.join()

    async def run(self) -> None:
        """One session at a time, as they finish."""
        while True:
            # One session per call: its record (every point) is not kept alive
            # by this frame while we wait, possibly hours, for the next one.
            await self._post_one(await self._finished.get())

    async def _post_one(self, done: _Finished) -> None:
        record, sid, result = done.record, done.record.session_id, done.result
        recording = self._recording
        metrics: dict[str, Any] | None = None
        try:
            folder = await recording.keep_ended(self._clock.now())
            analysis = await analyse_in_child(
                Job(record, folder),
                timeout_s=analysis_timeout_s(record, self._base_timeout_s),
                cache_dir=recording.state_dir / "cache",
            )
            for error in analysis.errors:
                log.warning("analysis_failed", session_id=sid, error=error)
            if analysis.metrics is not None:
                full = {**result, **key_figures(analysis.metrics), "metrics": analysis.metrics}
                if self._send({**full, "analysed": True}):
                    result, metrics = full, analysis.metrics
            if recording.store is not None:
                await asyncio.to_thread(recording.store.set_summary, sid, result, metrics)
            log.info("session_saved", session_id=sid, folder=str(folder))
            if analysis.chart is not None:
                self._outlet.retain(self._topics.session_chart, analysis.chart)
            self._on_kept(sid)
            _return_freed_memory()
        except (HiitdError, OSError, ValueError) as exc:
            # The bare result went out when the session ended: nothing is lost.
            log.warning("post_session_failed", session_id=sid, error=str(exc))
        finally:
            # Stored (or held by the recorder until the store works again): the
            # builder no longer needs the finished session's points.
            recording.recorder.release_ended(sid)
            self._finished.task_done()  # drained() joins the queue

    def _send(self, result: dict[str, Any]) -> bool:
        """Publish ``result``; False (logged) when it cannot be encoded (a value not finite)."""
        try:
            message = result_message(self._topics, result)
        except ValueError as exc:
            log.warning(
                "analysis_failed",
                session_id=result.get("session_id"),
                error=f"the result cannot be published ({exc}): the bare result stands",
            )
            return False
        self._outlet.send([message])
        return True


def analysis_timeout_s(record: SessionRecord, base_s: float = ANALYSIS_BASE_S) -> float:
    """How long the analysis of ``record`` may take: a base, plus a minute per hour of it."""
    hours = max(0.0, record.end_t or 0.0) / 3600.0
    return base_s + ANALYSIS_PER_HOUR_S * hours


def _return_freed_memory() -> None:
    """Give the heap's free pages back to the system (glibc only; elsewhere nothing).

    The post-session work (the job's pickle, the child's reply, the summary)
    frees a few megabytes that glibc keeps in its heap between live blocks;
    the soak measured about 2.5 MB of RSS after a 3-hour session returned by this call.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).malloc_trim(0)


def key_figures(metrics: dict[str, Any]) -> dict[str, Any]:
    """The figures a dashboard shows without digging into ``metrics``."""
    energy = metrics.get("calories") or {}
    load = metrics.get("load") or {}
    hrv = metrics.get("hrv") or {}
    economy = metrics.get("economy") or {}
    hrr = metrics.get("hrr60") or {}
    return {
        "duration_s": metrics.get("duration_s"),
        "moving_s": metrics.get("moving_s"),
        "distance_m": metrics.get("distance_m"),
        "avg_hr": (metrics.get("hr") or {}).get("avg_bpm"),
        "calories_kcal": energy.get("kcal"),
        "calories_estimate": True,
        "trimp": load.get("trimp"),
        "hrss": load.get("hrss"),
        "hrr60_bpm": [s.get("hrr60_bpm") for s in hrr.get("steps", [])],
        "hrr60_session_bpm": (hrr.get("session") or {}).get("hrr60_bpm"),
        "rmssd_ms": hrv.get("rmssd_ms"),
        "rmssd_withheld": hrv.get("withheld"),
        "efficiency_factor": economy.get("efficiency_factor"),
    }
