"""The live readiness check-in: the strap's RR intervals for a resting minute or two. Pure.

``cmd/checkin`` starts one while no session runs. The daemon owns the strap,
so the measurement is taken from the same sample stream the coach gets:
``CheckinDesk.feed`` sees every sample, the supervisor's check-in task lets
the daemon's clock run and calls ``progress``, then ``close`` and ``done`` or
``failed``. Time is an argument (the injected clock's), so an accelerated
clock measures two minutes in seconds in tests.

What comes out is ``<base>/plan/checkin`` (retained): ``state`` is
``measuring`` (with ``remaining_s``, ``beats`` so far and the last ``hr``),
then ``done`` (the stored figures and the readiness), ``failed`` or
``cancelled`` (with ``error`` saying why); and two replies on ``cmd/result``
for the ``checkin`` action: one when it starts (or is refused), one with
``state`` when it ends. Both carry the command's ``id``.

Honest data: a measurement that lost the strap for long, has too few beats or
too many artefacts is not stored; the runner is told why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from hiitd.mqtt.payloads import command_result, encode
from hiitd.plan import checkin_values
from hiitd.runtime.telemetry import Outgoing
from hiitd_drivers.samples import HeartRateSample, Link, LinkSample, Role

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.mqtt.topics import Topics
    from hiitd.plan.checkin_values import CheckinRow
    from hiitd.plan.readiness import Readiness
    from hiitd_drivers.samples import Sample

PROGRESS_EVERY_S: Final = 5.0  # clock seconds between "measuring" messages (a countdown)
# A gap longer than this between two notifications breaks the RR into runs: no
# successive difference spans it (as hrv.rr_runs does for sessions).
GAP_S: Final = 3.0
# The beats must cover this fraction of the measurement: less means the strap
# was off, slipping or out of range for a good part of it.
MIN_COVERAGE: Final = 0.8
# 60 s at 40 bpm. Coverage is the real guard; this one stops a bradycardic
# 60 s check-in from being refused by the 2-minute rule of an RR file.
LIVE_MIN_BEATS: Final = 40


class CheckinFailed(ValueError):  # noqa: N818 - an outcome, said to the runner
    """The measurement cannot be kept; the message says why and what to do."""


@dataclass
class Measurement:
    """One check-in's RR intervals, in runs broken at lost contact, a dropout or a gap."""

    started: float  # the daemon's clock
    duration_s: float
    started_wall: float
    request_id: str | None = None
    runs: list[list[float]] = field(default_factory=list)
    last_bpm: int | None = None
    hr_without_rr: int = 0  # notifications with a heart rate but no RR intervals
    _last_t: float | None = None
    _open: bool = False  # whether the last run may be extended
    closed: bool = False

    def feed(self, sample: Sample) -> None:
        """Take what matters from one sample (anything before the start or after close is not)."""
        if self.closed or sample.t < self.started:
            return
        if isinstance(sample, LinkSample):
            if sample.role is Role.HR and sample.link is Link.DOWN:
                self._open = False
            return
        if not isinstance(sample, HeartRateSample):
            return
        if sample.bpm is None or sample.contact is False:
            self._open, self.last_bpm = False, None
            return
        if self._last_t is not None and sample.t - self._last_t > GAP_S:
            self._open = False
        self._last_t, self.last_bpm = sample.t, sample.bpm
        if not sample.rr_ms:
            self.hr_without_rr += 1
            return
        if not self._open:
            self.runs.append([])
            self._open = True
        self.runs[-1].extend(float(x) for x in sample.rr_ms)

    def close(self) -> None:
        """No more beats: the measurement time is over (the result is being stored)."""
        self.closed = True

    @property
    def beats(self) -> int:
        """RR intervals received so far."""
        return sum(len(r) for r in self.runs)

    @property
    def covered_s(self) -> float:
        """Seconds of heart beats the RR intervals add up to."""
        return sum(sum(r) for r in self.runs) / 1000.0

    def remaining(self, now: float) -> float:
        """Clock seconds left to measure."""
        return max(0.0, self.started + self.duration_s - now)

    def due(self, now: float) -> bool:
        """Whether the measurement time is over."""
        return now >= self.started + self.duration_s

    def result(self, wall: float) -> CheckinRow:
        """The check-in to store, or CheckinFailed saying why it cannot be kept."""
        if self.beats == 0:
            if self.hr_without_rr:
                raise CheckinFailed(
                    "the strap sends heart rate but no RR intervals: it cannot measure HRV "
                    "(a strap that sends RR, such as a Polar H10 or Garmin HRM, is needed)"
                )
            raise CheckinFailed(
                f"no heart beats from the strap in {self.duration_s:.0f} s: "
                "is it on, moistened and connected?"
            )
        covered = self.covered_s
        if covered < MIN_COVERAGE * self.duration_s:
            raise CheckinFailed(
                f"beats cover only {covered:.0f} of {self.duration_s:.0f} s (the strap lost "
                "contact or dropped out): wear it snug, sit still and check in again"
            )
        try:
            return checkin_values.checkin_from_runs(
                self.runs, wall, "live", min_beats=LIVE_MIN_BEATS
            )
        except ValueError as exc:
            raise CheckinFailed(f"{exc}: sit still, breathe normally and check in again") from None


@dataclass
class CheckinDesk:
    """At most one check-in at a time, and the messages that say how it goes."""

    topics: Topics
    wall: Callable[[], float]
    hr_enabled: bool = True
    # Why a check-in cannot be kept right now (the store is down), else None.
    precheck: Callable[[], str | None] = lambda: None
    # Called when one starts: the supervisor's check-in task wakes up.
    on_start: Callable[[], None] = lambda: None
    job: Measurement | None = None
    finishing: bool = False
    _pending: list[Outgoing] = field(default_factory=list)

    @property
    def measuring(self) -> bool:
        """Whether a check-in is collecting beats (not yet being stored)."""
        return self.job is not None and not self.finishing

    def start(
        self, duration_s: float, request_id: str | None, now: float, *, session_active: bool
    ) -> str | None:
        """Begin measuring, or say why not (the caller answers on ``cmd/result``)."""
        if not self.hr_enabled:
            return "no heart-rate strap is configured (ble.hr.enabled): nothing to measure with"
        if session_active:
            return "a session is running: check in at rest, before or after it"
        if self.job is not None:
            left = self.job.remaining(now)
            return f"a check-in is already running ({left:.0f} s left); cmd/stop cancels it"
        if (why := self.precheck()) is not None:
            return why
        self.job = Measurement(now, float(duration_s), self.wall(), request_id)
        self.finishing = False
        self._pending.extend(self.progress(now))
        self.on_start()
        return None

    def feed(self, sample: Sample) -> None:
        """Every sample passes here; only a measuring check-in keeps anything."""
        if self.job is not None and not self.finishing:
            self.job.feed(sample)

    def take(self) -> list[Outgoing]:
        """Messages produced by ``start`` and ``cancel``, to publish with the command's reply."""
        out, self._pending = self._pending, []
        return out

    def progress(self, now: float) -> list[Outgoing]:
        """The ``measuring`` document: a dashboard's countdown."""
        job = self.job
        if job is None or self.finishing:
            return []
        body = {
            **self._head(job, "measuring"),
            "remaining_s": round(job.remaining(now), 1),
            "beats": job.beats,
            "hr": job.last_bpm,
        }
        return [self._doc(body)]

    def cancel(self, reason: str) -> None:
        """Stop measuring without storing (``cmd/stop``, a session started)."""
        job = self.job
        if job is None or self.finishing:
            return
        self.job = None
        body = {**self._head(job, "cancelled"), "error": f"check-in cancelled: {reason}"}
        self._pending += [self._doc(body), self._final(job, "cancelled", body["error"])]

    def close(self) -> Measurement | None:
        """The measurement time is over: no more beats; the supervisor stores the result."""
        if self.job is not None:
            self.job.close()
            self.finishing = True
        return self.job

    def done(self, row: CheckinRow, ready: Readiness) -> list[Outgoing]:
        """Stored: the figures and today's readiness."""
        job = self._end()
        body = {
            **self._head(job, "done"),
            **checkin_values.checkin_figures(row),
            "readiness": ready.status,
            "flags": [f.text for f in ready.flags],
        }
        return [self._doc(body), self._final(job, "done", None)]

    def failed(self, reason: str) -> list[Outgoing]:
        """Not stored, and why."""
        job = self._end()
        body = {**self._head(job, "failed"), "error": reason, "beats": job.beats}
        return [self._doc(body), self._final(job, "failed", reason)]

    # ----------------------------------------------------------------- helpers

    def _end(self) -> Measurement:
        job = self.job
        if job is None:
            raise RuntimeError("no check-in to end")
        self.job, self.finishing = None, False
        return job

    def _head(self, job: Measurement, state: str) -> dict[str, Any]:
        head: dict[str, Any] = {
            "ts": self.wall(),
            "state": state,
            "started": job.started_wall,
            "duration_s": job.duration_s,
        }
        if job.request_id is not None:
            head["id"] = job.request_id
        return head

    def _doc(self, body: dict[str, Any]) -> Outgoing:
        return Outgoing(self.topics.plan_checkin, encode(body), qos=1, retain=True)

    def _final(self, job: Measurement, state: str, error: str | None) -> Outgoing:
        body = command_result("checkin", error is None, error, self.wall())
        body["state"] = state
        if job.request_id is not None:
            body["id"] = job.request_id
        return Outgoing(self.topics.cmd_result, encode(body), qos=1)
