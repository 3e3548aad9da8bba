"""When each utterance is heard: one voice, in priority order, never two at once.

Pure: no clock and no I/O. ``offer`` an utterance (its sound already made),
tell it when steps change (``step_changed``), and ``advance`` to a time: it
returns what started, ended and was dropped by then, with the times on the
caller's clock. The same schedule runs on the daemon's clock for a speaker, and
on the session clock for the file sink (synthesis takes no time there, so a
demo at 20x gives the timeline of a real session).

The rules:

* One utterance at a time; the next starts when the last ends.
* Highest priority first (safety, then the countdown's tones, then step, then
  corrections, then notices), oldest first within one.
* A safety cue interrupts anything but another safety cue; a countdown tone
  interrupts speech at its second (it is due on the second or not at all: a
  tone ``TONE_LATE_S`` late is dropped).
* An utterance that could not start before its step ended, or that waited
  longer than ``stale_s``, is dropped with the reason: a stale correction is
  wrong, not late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import inf

from hiitd.voice.audio import Pcm  # noqa: TC001  (a runtime field type)

SAFETY = 3  # the cue priority that bypasses every limit (coach.events.Priority.SAFETY)
TONE_RANK = 2.5  # between safety and step cues
TONE_LATE_S = 0.2  # a countdown tone later than this is not played


@dataclass(frozen=True, slots=True)
class Utterance:
    """Something to play: a cue's speech, or a countdown tone (``tone``)."""

    cue_id: str
    kind: str
    text: str
    priority: int
    step_index: int | None
    queued_at: float  # when the coach decided it (a tone: when it is due)
    sound: Pcm
    ready_at: float | None = None  # when its sound was ready (None: at queued_at)
    tone: bool = False
    length_s: float | None = None  # on the schedule's clock (None: the sound's seconds)

    @property
    def span(self) -> float:
        """How long it plays, on the schedule's clock."""
        return self.sound.duration_s if self.length_s is None else self.length_s

    @property
    def ready(self) -> float:
        """The earliest it can start."""
        return self.queued_at if self.ready_at is None else max(self.queued_at, self.ready_at)

    @property
    def rank(self) -> float:
        """Higher is heard first."""
        return TONE_RANK if self.tone else float(self.priority)


@dataclass(frozen=True, slots=True)
class Started:
    """``utterance`` starts at ``at``."""

    utterance: Utterance
    at: float


@dataclass(frozen=True, slots=True)
class Ended:
    """``utterance``, started at ``started_at``, ended after ``duration_s`` (cut short when
    ``interrupted``)."""

    utterance: Utterance
    started_at: float
    duration_s: float
    interrupted: bool = False


@dataclass(frozen=True, slots=True)
class Dropped:
    """``utterance`` is not played, and why."""

    utterance: Utterance
    at: float
    reason: str


Happening = Started | Ended | Dropped


@dataclass
class _Playing:
    utterance: Utterance
    start: float
    end: float


@dataclass
class Schedule:
    """One voice's queue (see the module docstring)."""

    stale_s: float = 5.0
    pending: list[Utterance] = field(default_factory=list)
    current: _Playing | None = None
    busy_until: float = -inf
    changes: list[tuple[float, int]] = field(default_factory=list)  # (time, new step index)

    def offer(self, u: Utterance) -> None:
        """Queue ``u`` (it is weighed at the next ``advance``)."""
        self.pending.append(u)

    def retract(self, prefix: str) -> None:
        """Forget the pending utterances whose id starts with ``prefix`` (re-planned tones)."""
        self.pending = [p for p in self.pending if not p.cue_id.startswith(prefix)]

    def step_changed(self, index: int, at: float) -> None:
        """Step ``index`` began at ``at``: what waits for an earlier step is stale then."""
        self.changes.append((at, index))
        del self.changes[:-16]

    def next_wake(self) -> float:
        """The next time ``advance`` has something to do (``inf``: nothing waits)."""
        times = [t for t, _ in self._candidates()]
        if self.current is not None:
            times.append(self.current.end)
        return min(times, default=inf)

    def advance(self, now: float) -> list[Happening]:
        """Everything that happens up to ``now``, in order."""
        out: list[Happening] = []
        while True:
            cur = self.current
            cands = self._candidates()
            if cur is None and not cands:
                return out
            next_t = min((t for t, _ in cands), default=inf)
            end_t = cur.end if cur is not None else inf
            if min(next_t, end_t) > now:
                return out
            if cur is not None and end_t <= next_t:
                out.append(Ended(cur.utterance, cur.start, cur.end - cur.start))
                self.current = None
                continue
            t = next_t
            u = max((p for tt, p in cands if tt <= t), key=lambda p: (p.rank, -p.queued_at))
            self.pending.remove(u)
            why = self._stale(u, t)
            if why is not None:
                out.append(Dropped(u, t, why))
                continue
            if cur is not None:  # u cuts it short (_cuts)
                out.append(Ended(cur.utterance, cur.start, t - cur.start, interrupted=True))
            end = t + u.span
            self.current, self.busy_until = _Playing(u, t, end), end
            out.append(Started(u, t))

    def _candidates(self) -> list[tuple[float, Utterance]]:
        """Each pending utterance with the earliest time it could start."""
        cur = self.current
        out = []
        for p in self.pending:
            if cur is not None and _cuts(p, cur.utterance) and p.ready < cur.end:
                out.append((max(p.ready, cur.start), p))
            else:
                out.append((max(p.ready, self.busy_until), p))
        return out

    def _stale(self, u: Utterance, t: float) -> str | None:
        if u.tone:
            late = t - u.queued_at
            return f"{late:.2f} s late for its second" if late > TONE_LATE_S else None
        if u.priority >= SAFETY:
            return None
        waited = t - u.queued_at
        if u.step_index is not None and any(
            u.queued_at < at <= t and index != u.step_index for at, index in self.changes
        ):
            return "its step ended before it could be said"
        if waited > self.stale_s:
            return f"waited {waited:.1f} s (more than {self.stale_s:g} s)"
        return None


def _cuts(p: Utterance, playing: Utterance) -> bool:
    """Whether ``p`` interrupts ``playing``: safety cuts all but safety; a tone cuts speech."""
    if playing.priority >= SAFETY and not playing.tone:
        return False
    return (p.priority >= SAFETY and not p.tone) or (p.tone and not playing.tone)
