"""The live readiness check-in: the collector on synthetic RR, and cmd/checkin through the coach."""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from metrics_rig import breathing_rr, rmssd

from hiitd.mqtt.topics import Topics
from hiitd.plan import PlanConfig, readiness
from hiitd.plan.checkin_values import local_day
from hiitd.runtime.checkin_desk import CheckinDesk, CheckinFailed, Measurement
from hiitd.runtime.daemon import build_coach
from hiitd.settings import Settings
from hiitd_drivers.samples import HeartRateSample, Link, LinkSample, Role, Sample

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from hiitd.runtime.coach_service import Coach
    from hiitd.runtime.telemetry import Outgoing

TOPICS = Topics("hiitd", "alex")
WALL = 1_764_000_000.0
T0 = 100.0  # the daemon's clock when the check-in starts


def resting(n: int, mean: float = 1025.0) -> list[float]:
    """RR as at rest: +-50 ms around ``mean``, swinging with the breath every 4.6 beats.

    (Not a strict 2-beat alternation: that is the pattern of bigeminy, which the
    artefact detector of metrics/hrv.py rightly drops.)
    """
    return breathing_rr(n, mean)


def notifications(rr_ms: Iterable[float], start: float = T0) -> list[HeartRateSample]:
    """What a strap sends for these beats: once a second, the RR of the beats in that second."""
    out: list[HeartRateSample] = []
    beat_t, second, pending = start, start + 1.0, []
    for rr in rr_ms:
        beat_t += rr / 1000.0
        while beat_t > second:
            out.append(_note(second, pending))
            pending, second = [], second + 1.0
        pending.append(rr)
    out.append(_note(second, pending))
    return out


def _note(t: float, rr: list[float]) -> HeartRateSample:
    bpm = round(60000.0 / (sum(rr) / len(rr))) if rr else 58
    return HeartRateSample(t, bpm, tuple(rr), contact=True)


def measure(samples: Iterable[Sample], duration_s: float = 120.0) -> Measurement:
    m = Measurement(T0, duration_s, WALL)
    for s in samples:
        m.feed(s)
    return m


def test_known_rmssd_and_resting_hr_come_out() -> None:
    """Resting RR around 1025 ms: RMSSD and lnRMSSD by definition, HR from the mean RR."""
    rr = resting(118)  # 121 s of beats
    m = measure(notifications(rr))
    assert m.beats == 118
    row = m.result(WALL)
    assert row.rmssd_ms == pytest.approx(rmssd(rr))
    assert row.ln_rmssd == pytest.approx(math.log(rmssd(rr)))
    assert row.resting_hr == pytest.approx(60000.0 / statistics.fmean(rr))
    assert row.artefact_pct == 0.0
    assert row.source == "live"
    assert row.day == local_day(WALL).isoformat()


def test_a_dropout_breaks_the_beats_and_no_difference_spans_it() -> None:
    """A 10 s link loss mid-way: still stored, and the jump across the gap is not a difference."""
    first, second = resting(50), resting(56, 925.0)
    before = notifications(first)  # ~51 s
    gap_end = before[-1].t + 10.0
    after = notifications(second, start=gap_end)
    samples: list[Sample] = [
        *before,
        LinkSample(before[-1].t + 0.5, Role.HR, Link.DOWN),
        LinkSample(gap_end, Role.HR, Link.UP),
        *after,
    ]
    row = measure(samples).result(WALL)
    # Across the gap the 100 ms step down would add a difference; within each run it is not.
    assert row.rmssd_ms == pytest.approx(rmssd(first, second))
    assert row.rmssd_ms != pytest.approx(rmssd(first + second))
    assert row.beats == 106


def test_a_long_silence_without_a_link_event_also_breaks_the_run() -> None:
    """Notifications 8 s apart (a strap out of range, no DOWN seen): two runs, not one."""
    first, second = resting(60), resting(50, 925.0)
    before = notifications(first)
    after = notifications(second, start=before[-1].t + 8.0)
    m = measure([*before, *after])
    assert len(m.runs) == 2
    assert m.result(WALL).rmssd_ms == pytest.approx(rmssd(first, second))


def test_strap_not_worn_is_no_check_in() -> None:
    """No contact for the whole time: nothing stored, and the runner is told to put it on."""
    samples = [HeartRateSample(T0 + i, None, (), contact=False) for i in range(1, 121)]
    with pytest.raises(CheckinFailed, match="no heart beats"):
        measure(samples).result(WALL)


def test_a_strap_without_rr_is_named() -> None:
    """Heart rate but no RR intervals: the strap cannot measure HRV, and it says so."""
    samples = [HeartRateSample(T0 + i, 55, (), contact=True) for i in range(1, 121)]
    with pytest.raises(CheckinFailed, match="no RR intervals"):
        measure(samples).result(WALL)


def test_too_few_beats_for_the_time_are_refused() -> None:
    """Beats for 50 of 120 s (contact lost for the rest): refused, with the seconds covered."""
    samples: list[Sample] = list(notifications(resting(48)))
    samples += [HeartRateSample(T0 + 50 + i, None, (), contact=False) for i in range(70)]
    with pytest.raises(CheckinFailed, match=r"cover only 49 of 120 s"):
        measure(samples).result(WALL)


def test_too_many_artefacts_are_refused() -> None:
    """Every 10th beat missed (a doubled RR): 10 % artefacts, over the 5 % limit, not stored."""
    rr = [2050.0 if i % 10 == 9 else x for i, x in enumerate(resting(110))]
    with pytest.raises(CheckinFailed, match="artefacts"):
        measure(notifications(rr)).result(WALL)


def test_beats_before_the_start_and_after_close_do_not_count() -> None:
    """Only the measurement's own beats: earlier notifications and later ones are ignored."""
    m = Measurement(T0, 120.0, WALL)
    m.feed(HeartRateSample(T0 - 1.0, 60, (1000.0,), contact=True))
    m.feed(HeartRateSample(T0 + 1.0, 60, (1000.0,), contact=True))
    m.closed = True
    m.feed(HeartRateSample(T0 + 2.0, 60, (1000.0,), contact=True))
    assert m.beats == 1


# ------------------------------------------------------------------ the desk


def _docs(out: list[Outgoing], topic: str) -> list[dict[str, Any]]:
    return [json.loads(o.payload) for o in out if o.topic == topic]


def _desk(**kwargs: Any) -> CheckinDesk:
    return CheckinDesk(TOPICS, lambda: WALL, **kwargs)


def test_the_desk_counts_down_and_reports_the_figures() -> None:
    """measuring (remaining, beats, hr) while it runs; done with figures and readiness; retained."""
    desk = _desk()
    assert desk.start(120, "r1", T0, session_active=False) is None
    first = _docs(desk.take(), TOPICS.plan_checkin)
    assert first == [
        {"ts": WALL, "state": "measuring", "started": WALL, "duration_s": 120.0, "id": "r1",
         "remaining_s": 120.0, "beats": 0, "hr": None}
    ]  # fmt: skip
    rr = resting(118)
    notes = notifications(rr)
    for s in notes:
        desk.feed(s)
    progress = _docs(desk.progress(T0 + 60.0), TOPICS.plan_checkin)[0]
    assert progress["remaining_s"] == 60.0
    assert progress["beats"] == 118
    assert progress["hr"] == notes[-1].bpm  # the last notification's
    job = desk.close()
    assert job is not None
    assert desk.job is job
    assert not desk.measuring
    row = job.result(WALL)
    out = desk.done(row, readiness([], PlanConfig(), local_day(WALL)))
    assert all(o.retain for o in out if o.topic == TOPICS.plan_checkin)
    done = _docs(out, TOPICS.plan_checkin)[0]
    assert done["state"] == "done"
    assert done["resting_hr"] == round(60000.0 / statistics.fmean(rr), 1)
    assert done["rmssd_ms"] == round(rmssd(rr), 1)
    assert done["ln_rmssd"] == round(math.log(rmssd(rr)), 3)
    assert done["readiness"] == "unknown"  # one check-in is no baseline
    reply = _docs(out, TOPICS.cmd_result)[0]
    assert reply == {"ts": WALL, "action": "checkin", "ok": True, "error": None,
                     "state": "done", "id": "r1"}  # fmt: skip
    assert desk.job is None


@pytest.mark.parametrize(
    ("kwargs", "session_active", "words"),
    [
        ({"hr_enabled": False}, False, "no heart-rate strap"),
        ({}, True, "a session is running"),
        ({"precheck": lambda: "the session store is unavailable"}, False, "store"),
    ],
)
def test_the_desk_refuses_clearly(kwargs: dict[str, Any], session_active: bool, words: str) -> None:
    """No strap, a running session or no store: refused with a reason, nothing measured."""
    desk = _desk(**kwargs)
    error = desk.start(120, None, T0, session_active=session_active)
    assert error is not None
    assert words in error
    assert desk.job is None
    assert desk.take() == []


def test_one_check_in_at_a_time_and_cancel_says_so() -> None:
    """A second start is refused with the time left; cancel publishes 'cancelled' and a reply."""
    desk = _desk()
    assert desk.start(120, "a", T0, session_active=False) is None
    desk.take()
    error = desk.start(120, "b", T0 + 20.0, session_active=False)
    assert error is not None
    assert "already running (100 s left)" in error
    desk.cancel("a session was started")
    out = desk.take()
    doc = _docs(out, TOPICS.plan_checkin)[0]
    assert doc["state"] == "cancelled"
    assert doc["error"] == "check-in cancelled: a session was started"
    reply = _docs(out, TOPICS.cmd_result)[0]
    assert (reply["ok"], reply["state"], reply["id"]) == (False, "cancelled", "a")
    assert desk.job is None
    assert desk.start(120, "c", T0 + 30.0, session_active=False) is None


# ------------------------------------------------------------------ via the coach


@dataclass
class _Plan:
    """The plan as the coach sees it: a recommendation to start, ratings refused."""

    recommended: dict[str, Any] | None = None

    def rate_session(self, rpe: int) -> str | None:
        return f"no store here to keep {rpe}"


@pytest.fixture
def plan() -> _Plan:
    return _Plan()


@pytest.fixture
def coach(tmp_path: Path, plan: _Plan) -> Coach:
    settings = Settings.model_validate(
        {
            "storage": {"state_dir": tmp_path},
            "athlete": {"max_hr": 190, "resting_hr": 55, "threshold_pace": "4:16"},
        }
    )
    return build_coach(settings, TOPICS, lambda: WALL, checkins=_desk(), plan=plan)


def _replies(out: list[Outgoing]) -> list[dict[str, Any]]:
    return _docs(out, TOPICS.cmd_result)


def test_cmd_checkin_starts_and_cmd_stop_cancels_it(coach: Coach) -> None:
    """cmd/checkin {"duration_s": 90} measures 90 s; cmd/stop while idle cancels it (ok)."""
    out = coach.on_command("checkin", b'{"duration_s": 90, "id": "x"}', T0)
    assert _replies(out) == [
        {"ts": WALL, "action": "checkin", "ok": True, "error": None, "id": "x"}
    ]
    assert _docs(out, TOPICS.plan_checkin)[0]["duration_s"] == 90.0
    out = coach.on_command("stop", b"", T0 + 5.0)
    replies = _replies(out)
    assert replies[0] == {"ts": WALL, "action": "stop", "ok": True, "error": None}
    assert replies[1]["state"] == "cancelled"
    assert "cmd/stop" in replies[1]["error"]


def test_cmd_start_during_a_check_in_cancels_it_and_a_session_refuses_one(coach: Coach) -> None:
    """Starting a session ends the check-in, saying so; a check-in during the session is refused."""
    coach.on_command("checkin", b"", T0)
    out = coach.on_command("start", b"gibala-10x60", T0 + 10.0)
    replies = _replies(out)
    assert replies[0]["action"] == "start"
    assert replies[0]["ok"] is True
    assert replies[1]["error"] == "check-in cancelled: a session was started"
    out = coach.on_command("checkin", b"", T0 + 20.0)
    assert _replies(out)[0]["ok"] is False
    assert "a session is running" in _replies(out)[0]["error"]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"30", "from 60 to 300"),
        (b'{"duration_s": 301}', "from 60 to 300"),
        (b'{"duration_s": "two minutes"}', "whole seconds"),
        (b'{"duration_s": true}', "whole seconds"),
        (b'{"minutes": 2}', "unknown field"),
    ],
)
def test_bad_durations_get_an_error_and_measure_nothing(
    coach: Coach, payload: bytes, words: str
) -> None:
    """A duration outside 60-300 s or not whole seconds is refused, naming the bounds."""
    out = coach.on_command("checkin", payload, T0)
    reply = _replies(out)[0]
    assert reply["ok"] is False
    assert words in reply["error"]
    assert coach.checkins is not None
    assert coach.checkins.job is None


def test_start_next_starts_the_plans_recommendation(coach: Coach, plan: _Plan) -> None:
    """cmd/start next runs plan/next's workout; with no plan yet, or a rest day, it says why."""
    out = coach.on_command("start", b"next", T0)
    assert "no recommended session yet" in _replies(out)[0]["error"]
    plan.recommended = {"workout": None, "kind": "rest", "why": ["rest day: monotony 2.3"]}
    out = coach.on_command("start", b"next", T0)
    assert _replies(out)[0]["error"] == "no session to start: rest day: monotony 2.3"
    plan.recommended = {"workout": "plan-intervals-3", "kind": "intervals", "why": []}
    out = coach.on_command("start", b'{"workout": "next"}', T0)
    assert _replies(out)[0]["ok"] is True
    state = _docs(out, TOPICS.session_state)[-1]
    assert state["workout"] == "plan-intervals-3"
