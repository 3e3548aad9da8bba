"""Home Assistant MQTT discovery: one retained device message describing every entity.

Pure: no I/O. Device-based discovery (Home Assistant 2024.12+): one message on
``<discovery_prefix>/device/hiitd_<athlete>/config`` carries the device, the
origin and every component, so the whole device appears (or is removed) at
once. Keys are written unabbreviated for readability; the message is a few
kilobytes, far below any broker limit.

Every entity reads the daemon's existing JSON topics (docs/mqtt.md); no
topic exists only for Home Assistant except the session chart. Honest data:
a template renders ``None`` (Home Assistant: unknown) when the daemon says
``null``, and the strap's and footpod's entities list the sensor's own
availability beside the daemon's (``availability_mode: all``), so a dropped
strap shows "unavailable", never its last number. The live sensors also expire
after ``LIVE_EXPIRE_S`` without a message: in Home Assistant an expired sensor is
unavailable, and ``expire_after`` is restored across its restarts.

Reference: https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from hiitd.coach.events import CueKind, State, Zone
from hiitd.mqtt.command_parser import HEALTH
from hiitd_drivers.samples import Role

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from hiitd.mqtt.topics import Topics

LIVE_EXPIRE_S: Final = 10
"""The strap sends about once a second and the footpod twice: 10 s of silence is a gap."""

# The payload-less commands a runner presses (the select sends "workout").
BUTTONS: Final = ("start", "pause", "resume", "skip", "lap", "stop")
CUE_KINDS: Final = tuple(k.value for k in CueKind)
MANUFACTURER: Final = "hiitd"
MODEL: Final = "HIIT running coach"

_ONLINE, _OFFLINE = "online", "offline"


def device_id(athlete_id: str) -> str:
    """The device's discovery id and identifier: ``hiitd_<athlete_id>``."""
    return f"hiitd_{athlete_id}"


def config_topic(discovery_prefix: str, athlete_id: str) -> str:
    """Where the device's discovery message is retained."""
    return f"{discovery_prefix}/device/{device_id(athlete_id)}/config"


def ha_status_topic(discovery_prefix: str) -> str:
    """Home Assistant's birth (``online``) and will (``offline``) topic."""
    return f"{discovery_prefix}/status"


def _availability(topics: Topics, role: Role | None) -> dict[str, Any]:
    entries = [topics.status] if role is None else [topics.status, topics.availability(role)]
    options: dict[str, Any] = {
        "availability": [
            {"topic": t, "payload_available": _ONLINE, "payload_not_available": _OFFLINE}
            for t in entries
        ]
    }
    if role is not None:
        options["availability_mode"] = "all"  # a dropped strap is unavailable, not stale
    return options


def _maybe(expr: str, value: str) -> str:
    """A template rendering ``value`` when ``expr`` is set, else ``None`` (unknown)."""
    return f"{{{{ {value} if {expr} is not none else None }}}}"


def _opts(
    unit: str | None = None,
    device_class: str | None = None,
    state_class: str | None = "measurement",
    precision: int | None = None,
    icon: str | None = None,
) -> dict[str, Any]:
    """A sensor's presentation options, the unset ones left out."""
    opts = {
        "unit_of_measurement": unit,
        "device_class": device_class,
        "state_class": state_class,
        "suggested_display_precision": precision,
        "icon": icon,
    }
    return {k: v for k, v in opts.items() if v is not None}


_BATTERY: Final = {**_opts("%", "battery"), "entity_category": "diagnostic"}


class _Builder:
    """Collects components with the device's naming and availability rules."""

    def __init__(self, topics: Topics) -> None:
        self.topics = topics
        self.components: dict[str, dict[str, Any]] = {}

    def add(
        self, platform: str, key: str, name: str, *, role: Role | None = None, **opts: Any
    ) -> None:
        if key in self.components:  # one would silently replace the other
            raise ValueError(f"two components named {key!r}")
        self.components[key] = {
            "platform": platform,
            "unique_id": f"{device_id(self.topics.athlete_id)}_{key}",
            "name": name,
            **_availability(self.topics, role),
            **opts,
        }

    def sensor(
        self, key: str, name: str, topic: str, template: str, opts: dict[str, Any], **more: Any
    ) -> None:
        self.add("sensor", key, name, state_topic=topic, value_template=template, **opts, **more)

    def live(self, key: str, name: str, role: Role, template: str, opts: dict[str, Any]) -> None:
        """A sensor on the strap's or footpod's own topic: unavailable when it drops."""
        topic = self.topics.hr if role is Role.HR else self.topics.footpod
        # Battery levels arrive with every message but matter less than a gap does.
        expiry = {} if key.endswith("battery") else {"expire_after": LIVE_EXPIRE_S}
        self.sensor(key, name, topic, template, opts, role=role, **expiry)


def _live_sensors(b: _Builder, roles: Iterable[Role]) -> None:
    hr, pod = Role.HR, Role.FOOTPOD
    if hr in roles:
        bpm = _opts("bpm", icon="mdi:heart-pulse")  # Home Assistant has no heart-rate class
        b.live("heart_rate", "Heart rate", hr, "{{ value_json.bpm }}", bpm)
        b.live("strap_battery", "Strap battery", hr, "{{ value_json.battery }}", _BATTERY)
    if pod in roles:
        kmh = _maybe("value_json.speed_mps", "(value_json.speed_mps * 3.6) | round(2)")
        b.live("speed", "Speed", pod, kmh, _opts("km/h", "speed", precision=1))
        # Home Assistant rejects min/km as a speed unit: a plain number, minutes per km.
        mpk = _maybe("value_json.pace_s_per_km", "(value_json.pace_s_per_km / 60) | round(2)")
        b.live("pace", "Pace", pod, mpk, _opts("min/km", precision=2, icon="mdi:timer-outline"))
        spm = _opts("spm", icon="mdi:shoe-print")
        b.live("cadence", "Cadence", pod, "{{ value_json.cadence_spm }}", spm)
        stride = _opts("m", "distance", precision=2)
        b.live("stride_length", "Stride length", pod, "{{ value_json.stride_m }}", stride)
        b.live("footpod_battery", "Footpod battery", pod, "{{ value_json.battery }}", _BATTERY)


def _step(field: str) -> str:
    return f"{{{{ value_json.step.{field} if value_json.step else None }}}}"


def _session_sensors(b: _Builder) -> None:
    state = b.topics.session_state
    states = {"device_class": "enum", "options": [s.value for s in State], "icon": "mdi:run-fast"}
    b.sensor("session_state", "Session", state, "{{ value_json.state }}", states)
    zones = {"device_class": "enum", "options": [z.value for z in Zone], "icon": "mdi:target"}
    b.sensor("zone", "Zone", state, "{{ value_json.zone }}", zones)
    text = _opts(state_class=None, icon="mdi:format-list-numbered")
    b.sensor("step", "Step", state, _step("name"), text)
    b.sensor("interval", "Interval", state, _step("label"), {**text, "icon": "mdi:counter"})
    seconds = _opts("s", "duration", state_class=None, precision=0)
    b.sensor("step_remaining", "Step remaining", state, _step("remaining_s"), seconds)
    b.sensor("elapsed", "Elapsed", state, "{{ value_json.elapsed_s }}", seconds)
    # The session's own distance, not the footpod's odometer; it restarts with each session.
    km = _maybe("value_json.distance_m", "(value_json.distance_m / 1000) | round(3)")
    b.sensor("distance", "Distance", state, km, _opts("km", "distance", "total_increasing", 2))
    # The safety ceiling (coach/ceiling.py); "estimated" says whether it rests on a formula.
    ceiling = _opts("bpm", state_class=None, precision=0, icon="mdi:heart-flash")
    flag = "{'estimated': value_json.get('ceiling_estimated')}"
    estimated = {
        "json_attributes_topic": state,
        "json_attributes_template": f"{{{{ {flag} | tojson }}}}",
    }
    b.sensor("safety_ceiling", "Safety ceiling", state, "{{ value_json.ceiling_bpm }}", ceiling,
             **estimated)  # fmt: skip


def _profile_entities(b: _Builder) -> None:
    """A proposed max HR waiting for the runner (``profile/max_hr_proposal``); id as attribute."""
    topic = b.topics.max_hr_proposal
    keys = ("id", "observed", "was", "text")
    figures = ", ".join(f"'{k}': value_json.get('{k}')" for k in keys)
    attributes = {
        "json_attributes_topic": topic,
        "json_attributes_template": f"{{{{ {{{figures}}} | tojson }}}}",
    }
    value = "{{ value_json.max_hr if value_json.state == 'proposed' else None }}"
    opts = _opts("bpm", state_class=None, precision=0, icon="mdi:heart-plus")
    b.sensor("max_hr_proposal", "Proposed max HR", topic, value, opts, **attributes)


# The figures of the last result shown as attributes (runtime/post_session.py, key_figures).
_RESULT_FIGURES: Final = (
    "session_id", "workout", "status", "duration_s", "moving_s", "distance_m", "avg_hr",
    "calories_kcal", "trimp", "hrss", "hrr60_session_bpm", "rmssd_ms", "efficiency_factor",
    "compliance_pct",
)  # fmt: skip
# The work-step headline's split (coach/compliance.py), from the result's ``compliance``.
_WORK_SPLIT: Final = ("in_pct", "below_pct", "above_pct", "scored_s", "unscored")


def _result_sensors(b: _Builder) -> None:
    result = b.topics.session_result
    kcal = _opts("kcal", state_class=None, precision=0, icon="mdi:fire")
    b.sensor("calories", "Calories (estimate)", result, "{{ value_json.calories_kcal }}", kcal)
    trimp = _opts(state_class=None, precision=0, icon="mdi:weight-lifter")
    b.sensor("trimp", "TRIMP", result, "{{ value_json.trimp }}", trimp)
    ended = _maybe("value_json.get('end_wall')", "as_datetime(value_json.end_wall)")
    figures = ", ".join(f"'{k}': value_json.get('{k}')" for k in _RESULT_FIGURES)
    attributes = {
        "json_attributes_topic": result,
        "json_attributes_template": f"{{{{ {{{figures}}} | tojson }}}}",
    }
    when = _opts(device_class="timestamp", state_class=None, icon="mdi:history")
    b.sensor("last_session", "Last session", result, ended, when, **attributes)
    # The same figure the runner heard at the end and `sessions show` prints.
    split = ", ".join(
        f"'{k}': (value_json.get('compliance') or {{}}).get('{k}')" for k in _WORK_SPLIT
    )
    work = {
        "json_attributes_topic": result,
        "json_attributes_template": f"{{{{ {{{split}}} | tojson }}}}",
    }
    pct = _opts("%", state_class=None, precision=0, icon="mdi:target")
    b.sensor(
        "work_in_target", "Work in target", result, "{{ value_json.compliance_pct }}", pct, **work
    )


_BUTTON_ICONS: Final = {
    "start": "mdi:play", "pause": "mdi:pause", "resume": "mdi:play-pause",
    "skip": "mdi:skip-next", "lap": "mdi:flag-checkered", "stop": "mdi:stop",
}  # fmt: skip


def _controls(b: _Builder, workouts: Sequence[str]) -> None:
    t = b.topics
    for action in BUTTONS:
        # The daemon reads an empty payload as "no arguments"; Home Assistant's
        # default, "PRESS", would be taken by ``start`` for a workout name.
        press: dict[str, Any] = {"command_topic": t.cmd(action), "payload_press": "", "qos": 1}
        b.add("button", action, action.capitalize(), icon=_BUTTON_ICONS[action], **press)
    select: dict[str, Any] = {
        "command_topic": t.cmd("workout"),
        "state_topic": t.session_state,
        "value_template": "{{ value_json.workout }}",  # None (unknown) until one is chosen
        "options": list(workouts),
        "qos": 1,
    }
    b.add("select", "workout", "Workout", icon="mdi:clipboard-list", **select)
    # The cue JSON carries ``event_type`` (its kind); the rest become the event's attributes.
    cues: dict[str, Any] = {"state_topic": t.session_cue, "event_types": list(CUE_KINDS), "qos": 1}
    b.add("event", "cue", "Cue", icon="mdi:bullhorn", **cues)
    chart: dict[str, Any] = {"image_topic": t.session_chart, "content_type": "image/png"}
    b.add("image", "chart", "Last session chart", **chart)


CHECKIN_STATES: Final = ("measuring", "done", "failed", "cancelled")
_CHECKIN_FIGURES: Final = (
    "day", "started", "duration_s", "remaining_s", "hr", "beats", "resting_hr", "rmssd_ms",
    "ln_rmssd", "artefact_pct", "readiness", "flags", "error",
)  # fmt: skip


def _done(field: str) -> str:
    # An empty state is ignored by a numeric MQTT sensor (homeassistant/components/mqtt/
    # sensor.py, _update_state): while measuring, the last stored value stays shown.
    return f"{{{{ value_json.{field} if value_json.state == 'done' else '' }}}}"


def _checkin_entities(b: _Builder) -> None:
    """The readiness check-in: a button to start one, its state, and the last figures."""
    t = b.topics
    press: dict[str, Any] = {"command_topic": t.cmd("checkin"), "payload_press": "", "qos": 1}
    b.add("button", "start_checkin", "Start readiness check-in", icon="mdi:heart-flash", **press)
    figures = ", ".join(f"'{k}': value_json.get('{k}')" for k in _CHECKIN_FIGURES)
    attributes = {
        "json_attributes_topic": t.plan_checkin,
        "json_attributes_template": f"{{{{ {{{figures}}} | tojson }}}}",
    }
    states = {"device_class": "enum", "options": list(CHECKIN_STATES), "icon": "mdi:heart-flash"}
    b.sensor("checkin", "Check-in", t.plan_checkin, "{{ value_json.state }}", states, **attributes)
    bpm = _opts("bpm", precision=0, icon="mdi:heart-outline")
    b.sensor("resting_hr", "Resting HR (check-in)", t.plan_checkin, _done("resting_hr"), bpm)
    ln = _opts(precision=2, icon="mdi:sine-wave")
    b.sensor("ln_rmssd", "lnRMSSD (check-in)", t.plan_checkin, _done("ln_rmssd"), ln)


def _plan_entities(b: _Builder) -> None:
    """The next session (``plan/next``), readiness, the load ratio, and the RPE to give."""
    plan = b.topics.plan_next
    # ``next`` is the daemon's name for plan/next's workout (mqtt/command_parser.py).
    press: dict[str, Any] = {"command_topic": b.topics.cmd("start"), "payload_press": "next"}
    b.add("button", "start_next", "Start next session", icon="mdi:play-speed", qos=1, **press)
    keys = ("kind", "level", "protocol", "step", "steps", "description", "deload", "why")
    figures = ", ".join(f"'{k}': value_json.get('{k}')" for k in keys)
    attributes = {
        "json_attributes_topic": plan,
        "json_attributes_template": f"{{{{ {{{figures}}} | tojson }}}}",
    }
    what = "{{ value_json.workout or value_json.kind }}"  # "rest" has no workout
    nxt = _opts(state_class=None, icon="mdi:calendar-arrow-right")
    b.sensor("next_session", "Next session", plan, what, nxt, **attributes)
    ready = {"device_class": "enum", "options": ["green", "amber", "red", "unknown"]}
    b.sensor("readiness", "Readiness", plan, "{{ value_json.readiness }}", ready)
    # Williams' acute:chronic EWMA ratio, the plan's load heuristic (plan/daily_load.py).
    ratio = _opts(precision=2, icon="mdi:scale-balance")
    b.sensor("load_ratio", "Load ratio (acute:chronic)", plan, "{{ value_json.acwr }}", ratio)
    rpe: dict[str, Any] = {
        "command_topic": b.topics.cmd("rpe"),
        "command_template": "{{ value | int }}",  # "7", not "7.0"
        "min": 0,
        "max": 10,
        "step": 1,
        "mode": "box",
        "qos": 1,
    }
    b.add("number", "session_rpe", "Last session RPE", icon="mdi:gauge", **rpe)
    # The runner's reported health: shown from plan/next, reported with cmd/health.
    health: dict[str, Any] = {
        "command_topic": b.topics.cmd("health"),
        "state_topic": plan,
        "value_template": "{{ (value_json.health or {}).get('status', 'ok') }}",
        "options": list(HEALTH),
        "qos": 1,
    }
    b.add("select", "health", "Health", icon="mdi:medical-bag", **health)


def discovery_payload(
    topics: Topics,
    *,
    athlete_name: str,
    version: str,
    workouts: Sequence[str],
    roles: Iterable[Role] = (Role.HR, Role.FOOTPOD),
    support_url: str | None = None,
) -> dict[str, Any]:
    """The device discovery document; ``workouts`` are the select's options.

    Give the plan's workouts (``ladders.plan_names``) among ``workouts``: the
    select shows the session's workout, and one it does not list is dropped.

    Entities of a sensor role that is not enabled are left out: they could
    never be anything but unavailable.
    """
    if not workouts:
        raise ValueError("the workout select needs at least one workout")
    b = _Builder(topics)
    _live_sensors(b, frozenset(roles))
    _session_sensors(b)
    _result_sensors(b)
    _controls(b, workouts)
    _plan_entities(b)
    _checkin_entities(b)
    _profile_entities(b)
    origin = {"name": "hiitd", "sw_version": version}
    if support_url is not None:
        origin["support_url"] = support_url
    return {
        "device": {
            "identifiers": [device_id(topics.athlete_id)],
            "name": f"hiitd {athlete_name}",
            "manufacturer": MANUFACTURER,
            "model": MODEL,
            "sw_version": version,
        },
        "origin": origin,
        "components": b.components,
    }
