"""The MQTT topic tree of one athlete (docs/mqtt.md).

Pure: no I/O. Every topic this daemon publishes or listens to is built here, so
the tree is defined once and a dashboard author can read it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hiitd_drivers.samples import Role

# MQTT topic levels may not contain these (MQTT 3.1.1, section 4.7.1).
_FORBIDDEN = frozenset("+#\0")


def _check_level(name: str, value: str, *, allow_slash: bool) -> None:
    if not value or (not allow_slash and "/" in value) or _FORBIDDEN & set(value):
        raise ValueError(f"{name} {value!r} is not a usable MQTT topic level")
    if allow_slash and "" in value.split("/"):
        raise ValueError(f"{name} {value!r} has an empty topic level")


@dataclass(frozen=True, slots=True)
class Topics:
    """Every topic under ``<prefix>/<athlete_id>``."""

    prefix: str
    athlete_id: str

    def __post_init__(self) -> None:
        # A prefix may have several levels ("home/hiitd"); the athlete id is one level.
        _check_level("prefix", self.prefix, allow_slash=True)
        _check_level("athlete_id", self.athlete_id, allow_slash=False)

    @property
    def base(self) -> str:
        """``<prefix>/<athlete_id>``."""
        return f"{self.prefix}/{self.athlete_id}"

    @property
    def status(self) -> str:
        """The daemon's ``online``/``offline`` (the will), retained."""
        return f"{self.base}/status"

    def availability(self, role: Role) -> str:
        """A sensor's ``online``/``offline``, retained."""
        return f"{self.base}/{role.value}/availability"

    @property
    def hr(self) -> str:
        """Live heart rate, QoS 0."""
        return f"{self.base}/hr"

    @property
    def footpod(self) -> str:
        """Live speed, pace and cadence, QoS 0."""
        return f"{self.base}/footpod"

    @property
    def session_state(self) -> str:
        """The session's current state, retained."""
        return f"{self.base}/session/state"

    @property
    def session_cue(self) -> str:
        """Coaching cues, QoS 1."""
        return f"{self.base}/session/cue"

    @property
    def session_step(self) -> str:
        """The summary of a step that just ended, QoS 1."""
        return f"{self.base}/session/step"

    @property
    def session_result(self) -> str:
        """The last finished session, retained."""
        return f"{self.base}/session/result"

    @property
    def session_import(self) -> str:
        """What became of each file in the watched import folder, QoS 1 (not retained)."""
        return f"{self.base}/session/import"

    @property
    def session_chart(self) -> str:
        """The last session's chart as PNG bytes, retained (Home Assistant's image)."""
        return f"{self.base}/session/chart"

    @property
    def plan_next(self) -> str:
        """The recommended next session, with readiness and load ratio, retained."""
        return f"{self.base}/plan/next"

    @property
    def plan_checkin(self) -> str:
        """The live readiness check-in: measuring, then done, failed or cancelled, retained."""
        return f"{self.base}/plan/checkin"

    @property
    def diagnostics(self) -> str:
        """The daemon's health (the store, the sensors' rejected values), retained."""
        return f"{self.base}/diagnostics"

    @property
    def max_hr_proposal(self) -> str:
        """A higher max HR seen in a session, waiting for the runner's confirmation, retained."""
        return f"{self.base}/profile/max_hr_proposal"

    def cmd(self, action: str) -> str:
        """Where a command ``action`` is sent to this daemon."""
        _check_level("action", action, allow_slash=False)
        return f"{self.base}/cmd/{action}"

    @property
    def cmd_filter(self) -> str:
        """The subscription that receives every command for this daemon."""
        return f"{self.base}/cmd/+"

    @property
    def cmd_result(self) -> str:
        """Replies to commands (``action``, ``ok``, ``error``)."""
        return f"{self.base}/cmd/result"

    @property
    def all_filter(self) -> str:
        """Everything under ``<base>``, for ``hiitd watch``."""
        return f"{self.base}/#"

    def command_action(self, topic: str) -> str | None:
        """The action of one of *this* daemon's command topics, else None.

        ``<base>/cmd/result`` is our own output, not a command, so it is None too.
        """
        head = f"{self.base}/cmd/"
        if not topic.startswith(head):
            return None
        action = topic[len(head) :]
        if not action or action == "result" or "/" in action or _FORBIDDEN & set(action):
            return None
        return action

    def relative(self, topic: str) -> str | None:
        """``topic`` below ``<base>`` (``"hr/availability"``), or None when outside it."""
        head = f"{self.base}/"
        return topic[len(head) :] if topic.startswith(head) else None
