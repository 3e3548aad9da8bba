"""Commands from ``<base>/cmd/<action>``: rate-limited, applied by the coach, logged, answered.

Only the daemon's own command topics reach here (the link subscribes to
nothing else for commands). A flood is cut by a token bucket on real seconds
(not the session clock: floods are real): a denied command is neither parsed
nor stored, and one reply says so.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import structlog

from hiitd.mqtt.command_parser import ACTIONS
from hiitd.mqtt.ratelimit import CommandLimiter, Verdict

if TYPE_CHECKING:
    from hiitd.runtime.coach_service import Coach
    from hiitd.runtime.inbox import Inbox
    from hiitd.runtime.outlet import Outlet
    from hiitd.runtime.recording_service import RecordingService
    from hiitd_drivers.clock import Clock

log = structlog.get_logger(__name__)


_KNOWN = frozenset(ACTIONS)


class CommandIntake:
    """Takes each command from the inbox and answers it on ``cmd/result``."""

    def __init__(
        self,
        inbox: Inbox,
        coach: Coach,
        recording: RecordingService,
        outlet: Outlet,
        clock: Clock,
    ) -> None:
        self._inbox = inbox
        self._coach = coach
        self._recording = recording
        self._outlet = outlet
        self._clock = clock
        self._limiter = CommandLimiter()

    async def run(self) -> None:
        """Answer commands in the order they arrived."""
        while True:
            action, payload = await self._inbox.commands.get()
            self.handle(action, payload)

    def handle(self, action: str, payload: bytes) -> None:
        """Apply one command (or refuse it: the rate limit) and answer."""
        verdict = self._limiter.check(action, _KNOWN, time.monotonic())
        if verdict is Verdict.DENY_AND_SAY:
            log.warning("commands_rate_limited", action=action[:40], denied=self._limiter.denied)
            self._outlet.send([self._coach.refuse(action, self._limiter.message(action))])
        if verdict in {Verdict.DENY, Verdict.DENY_AND_SAY}:
            return  # neither parsed nor stored: a flood must not reach the SD card
        quiet = verdict is Verdict.ALLOW_QUIETLY  # stop, pause, lap in a flood: done, not answered
        try:
            outs = self._coach.on_command(action, payload, self._clock.now(), quiet=quiet)
        except Exception as exc:  # a bug in one command must not stop the daemon: answered
            log.exception("mqtt_command_failed", action=action[:40])
            error = f"internal error ({type(exc).__name__}); see the daemon log"
            outs = [self._coach.refuse(action, error)]
        if quiet:
            outs = [o for o in outs if o.topic != self._coach.topics.cmd_result]
        else:
            self._recording.log_command(action, payload, outs)
        self._outlet.send(outs)
