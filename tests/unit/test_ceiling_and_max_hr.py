"""The safety ceiling's one precedence, and a learned max HR that is only ever a proposal."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from engine_rig import PROFILE, Rig, hr, timed, workout

from hiitd.coach.ceiling import safety_ceiling
from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.events import MaxHrProposal, Notice
from hiitd.coach.profile import profile_from_settings, with_learned_max_hr
from hiitd.coach.workout_model import Intensity
from hiitd.mqtt.command_parser import CommandError, parse_command
from hiitd.mqtt.topics import Topics
from hiitd.runtime.coach_service import Coach
from hiitd.runtime.profile_service import ProfileService
from hiitd.settings import AthleteSettings
from hiitd.store import learned_file
from hiitd.store.workout_catalog import WorkoutCatalog
from hiitd_drivers.samples import HeartRateSample

if TYPE_CHECKING:
    from pathlib import Path

    from hiitd.runtime.telemetry import Outgoing

A = Intensity.ACTIVE
TOPICS = Topics("hiitd", "athlete")
# Age 40: Tanaka's estimate is 208 - 0.7 x 40 = 180 bpm.
ESTIMATED = profile_from_settings(AthleteSettings(age=40, resting_hr=55))


def test_the_ceiling_follows_one_precedence() -> None:
    """safety_ceiling_bpm, then athlete.max_hr, then a confirmed learned max, then estimate + 10."""
    cfg = CoachConfig()
    entered = profile_from_settings(AthleteSettings(max_hr=186, age=40))
    learned = with_learned_max_hr(ESTIMATED, 184)
    assert safety_ceiling(cfg.model_copy(update={"safety_ceiling_bpm": 170}), entered).bpm == 170
    assert safety_ceiling(cfg, entered).to_payload() == {
        "bpm": 186, "source": "athlete.max_hr", "estimated": False,
    }  # fmt: skip
    assert safety_ceiling(cfg, learned).to_payload() == {
        "bpm": 184, "source": "learned", "estimated": False,
    }  # fmt: skip
    assert safety_ceiling(cfg, ESTIMATED).to_payload() == {
        "bpm": 190, "source": "estimate", "estimated": True,
    }  # fmt: skip
    assert safety_ceiling(cfg.model_copy(update={"ceiling_margin_bpm": 0}), ESTIMATED).bpm == 180


def test_an_entered_max_hr_is_never_replaced_by_a_learned_one() -> None:
    """The runner's own number stays; a learned one replaces only an estimate."""
    entered = profile_from_settings(AthleteSettings(max_hr=186))
    assert with_learned_max_hr(entered, 195) == entered
    assert with_learned_max_hr(ESTIMATED, 185).max_hr == 185


def test_an_estimated_ceiling_is_said_as_estimated() -> None:
    """With max HR from age, the safety cue says 'estimated ceiling' and the state shows it."""
    rig = Rig(workout(timed(A, 600)), profile=ESTIMATED)
    rig.start()
    rig.run(30, bpm=195)
    [(_, cue)] = [(t, c) for t, c in rig.cue_objs() if c.kind == "safety_hr_ceiling"]
    assert "above your estimated ceiling of 190" in cue.text
    state = rig.e.snapshot(rig.now).to_payload()
    assert (state["ceiling_bpm"], state["ceiling_estimated"]) == (190, True)


def test_a_clean_higher_reading_is_only_a_proposal_of_at_most_5_bpm() -> None:
    """195 held cleanly over an estimated 180: one proposal of 185; profile and ceiling stay."""
    rig = Rig(workout(timed(A, 600, hr(150, 170))), profile=ESTIMATED)
    rig.start()
    rig.run(60, bpm=195)
    proposals = [ev for _, ev in rig.events if isinstance(ev, MaxHrProposal)]
    assert len(proposals) == 1, "one proposal a session"
    p = proposals[0]
    assert (p.max_hr, p.observed, p.was) == (185, 195, 180)
    assert p.id == f"{rig.e.session_id}.maxhr"
    assert rig.e.profile.max_hr == 180
    assert rig.e.ceiling == 190


def test_a_reading_above_an_entered_max_hr_is_a_notice_not_a_proposal() -> None:
    """Over the max HR the runner entered: a notice says what was seen; nothing is proposed."""
    rig = Rig(workout(timed(A, 600)))
    rig.start()
    rig.run(30, bpm=200)
    assert [ev.code for _, ev in rig.events if isinstance(ev, Notice)] == ["max_hr_above_setting"]
    assert not [ev for _, ev in rig.events if isinstance(ev, MaxHrProposal)]
    assert rig.e.profile == PROFILE


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"", "needs"),
        (b"185", "needs"),
        (b'{"proposal": "x"}', "max_hr must be"),
        (b'{"proposal": 3, "max_hr": 185}', "proposal must be"),
        (b'{"proposal": "x", "max_hr": 185.5}', "max_hr must be"),
        (b'{"proposal": "x", "max_hr": true}', "max_hr must be"),
    ],
)
def test_confirm_max_hr_needs_the_proposal_id_and_value(payload: bytes, words: str) -> None:
    """A confirmation without the proposal's id and a whole bpm is refused, saying why."""
    with pytest.raises(CommandError, match=words):
        parse_command("confirm-max-hr", payload)


def test_other_commands_take_no_proposal() -> None:
    """'start' with a max_hr field is refused."""
    with pytest.raises(CommandError, match="no proposal"):
        parse_command("start", b'{"max_hr": 185}')


class _Outlet:
    def __init__(self) -> None:
        self.retained: dict[str, bytes] = {}

    def retain(self, topic: str, payload: bytes) -> None:
        self.retained[topic] = payload

    def send(self, messages: list[Outgoing]) -> None:
        for m in messages:
            self.retained[m.topic] = m.payload


def test_only_the_proposal_itself_confirms_it_and_then_zones_and_ceiling_follow(
    tmp_path: Path,
) -> None:
    """Another id or value is refused and changes nothing; the right pair applies 185 everywhere."""
    rig = Rig(workout(timed(A, 600)), profile=ESTIMATED)
    catalog = WorkoutCatalog(tmp_path, ESTIMATED)
    outlet = _Outlet()
    keeper = ProfileService(tmp_path, rig.e, catalog, outlet, TOPICS, wall=lambda: 1.7e9)
    coach = Coach(rig.e, catalog, TOPICS, lambda: 1.7e9, listeners=[keeper.on_event], max_hr=keeper)
    coach.on_command("start", b"", rig.now)
    for _ in range(60):
        rig.now += 1.0
        beat = HeartRateSample(rig.now, 195, (60000.0 / 195,), True)
        outlet.send(coach.on_sample(beat, rig.now))
        outlet.send(coach.on_tick(rig.now))
    shown = json.loads(outlet.retained[TOPICS.max_hr_proposal])
    assert (shown["state"], shown["max_hr"]) == ("proposed", 185)
    assert learned_file.load(tmp_path).proposal is not None
    assert learned_file.load_max_hr(tmp_path) is None, "nothing changes before confirmation"

    def confirm(body: dict[str, object]) -> dict[str, object]:
        out = coach.on_command("confirm-max-hr", json.dumps(body).encode(), rig.now)
        return json.loads(next(o.payload for o in out if o.topic == TOPICS.cmd_result))

    assert "not the one waiting" in str(confirm({"proposal": "other", "max_hr": 185})["error"])
    assert "not 190" in str(confirm({"proposal": shown["id"], "max_hr": 190})["error"])
    assert rig.e.profile.max_hr == 180
    assert confirm({"proposal": shown["id"], "max_hr": 185})["ok"] is True
    assert learned_file.load(tmp_path) == learned_file.Learned(185, None)
    assert rig.e.profile.max_hr == 185
    assert catalog.profile.max_hr == 185
    assert json.loads(outlet.retained[TOPICS.max_hr_proposal])["state"] == "confirmed"
    coach.on_command("stop", b"", rig.now)
    coach.on_command("start", b"", rig.now)
    assert rig.e.ceiling == 185, "the next session's ceiling is the confirmed max"
    assert "no max HR proposal" in str(confirm({"proposal": shown["id"], "max_hr": 185})["error"])


def test_a_waiting_proposal_is_shown_again_after_a_restart(tmp_path: Path) -> None:
    """The proposal is kept in learned.json and published again at start-up."""
    proposal = MaxHrProposal("s1-abc.maxhr", 185, 195, 180, "Confirm 185")
    rig = Rig(workout(timed(A, 600)), profile=ESTIMATED)
    outlet = _Outlet()
    catalog = WorkoutCatalog(tmp_path, ESTIMATED)
    first = ProfileService(tmp_path, rig.e, catalog, outlet, TOPICS, wall=lambda: 1.0)
    first.on_event(proposal)
    outlet.retained.clear()
    again = ProfileService(tmp_path, rig.e, catalog, outlet, TOPICS, wall=lambda: 2.0)
    again.announce()
    shown = json.loads(outlet.retained[TOPICS.max_hr_proposal])
    assert (shown["id"], shown["max_hr"], shown["state"]) == ("s1-abc.maxhr", 185, "proposed")


def test_learned_json_from_before_is_read_and_a_broken_one_ignored(tmp_path: Path) -> None:
    """{"max_hr": 188} still reads; a proposal without an id is dropped; junk is empty."""
    (tmp_path / learned_file.FILE_NAME).write_text(
        json.dumps({"max_hr": 188, "max_hr_proposal": {"max_hr": 190}}), encoding="utf-8"
    )
    assert learned_file.load(tmp_path) == learned_file.Learned(188, None)
    (tmp_path / learned_file.FILE_NAME).write_text("[1, 2]", encoding="utf-8")
    assert learned_file.load(tmp_path) == learned_file.Learned()
