"""``hiitd watch``: a live, readable view of everything under ``<base>``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

import aiomqtt

from hiitd.errors import MqttError
from hiitd.mqtt.connection import CONNECT_TIMEOUT_S, OPERATION_TIMEOUT_S, make_client
from hiitd.mqtt.failures import classify

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.mqtt.topics import Topics
    from hiitd.settings import MqttSettings

_LABEL_WIDTH = 8
_NO_TIME = "--:--:--"


def _clock(ts: float | None, tz: tzinfo | None) -> str:
    if ts is None:
        return _NO_TIME
    # tz None means the machine's local zone: this is for a person at a terminal.
    return datetime.fromtimestamp(ts, tz=UTC).astimezone(tz).strftime("%H:%M:%S")


def _mmss(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _num(value: Any, fmt: str, missing: str = "--") -> str:
    return format(value, fmt) if isinstance(value, int | float) else missing


def _hr(doc: dict[str, Any]) -> str:
    bpm = doc.get("bpm")
    parts = [f"{bpm} bpm" if bpm is not None else "-- bpm (no contact)"]
    if rr := doc.get("rr_ms"):
        parts.append("rr " + ",".join(_num(r, ".0f") for r in rr) + " ms")
    if doc.get("battery") is not None:
        parts.append(f"battery {doc['battery']}%")
    return "  ".join(parts)


def _footpod(doc: dict[str, Any]) -> str:
    pace = doc.get("pace_s_per_km")
    parts = [
        f"{_num(doc.get('speed_mps'), '.2f')} m/s",
        f"{_mmss(pace) if isinstance(pace, int | float) else '--:--'} /km",
        f"{_num(doc.get('cadence_spm'), '.0f')} spm",
    ]
    if doc.get("stride_m") is not None:
        parts.append(f"stride {_num(doc['stride_m'], '.2f')} m")
    if doc.get("distance_m") is not None:
        parts.append(f"{_num(doc['distance_m'], '.0f')} m")
    return "  ".join(parts)


def _state(doc: dict[str, Any]) -> str:
    parts = [str(doc.get("state", "?"))]
    step = doc.get("step")
    if isinstance(step, dict):
        index, count = step.get("index"), step.get("count")
        where = f"step {index + 1}/{count}" if isinstance(index, int) else "step"
        parts.append(f"{where} {step.get('name') or ''}".rstrip())
        if isinstance(step.get("remaining_s"), int | float):
            parts.append(f"{_mmss(step['remaining_s'])} left")
    if doc.get("zone") not in (None, "none"):
        parts.append(f"zone {doc['zone']}")
    if isinstance(doc.get("elapsed_s"), int | float):
        parts.append(f"elapsed {_mmss(doc['elapsed_s'])}")
    return "  ".join(parts)


def _cue(doc: dict[str, Any]) -> str:
    return f"[{doc.get('kind', '?')}] {doc.get('text', '')}".rstrip()


def _result(doc: dict[str, Any]) -> str:
    action = doc.get("action", "?")
    return f"{action} ok" if doc.get("ok") else f"{action} failed: {doc.get('error')}"


def _import(doc: dict[str, Any]) -> str:
    return f"{doc.get('status', '?')}: {doc.get('message', '')}".rstrip()


def _generic(doc: Any) -> str:
    if not isinstance(doc, dict):
        return json.dumps(doc, separators=(",", ":"))
    return "  ".join(
        f"{key}={value if isinstance(value, str) else json.dumps(value, separators=(',', ':'))}"
        for key, value in doc.items()
        if key != "ts"
    )


_FORMATTERS: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "hr": ("hr", _hr),
    "footpod": ("footpod", _footpod),
    "session/state": ("state", _state),
    "session/cue": ("cue", _cue),
    "cmd/result": ("result", _result),
    "session/import": ("import", _import),
}


def _text(payload: bytes) -> str:
    try:
        return payload.decode()
    except UnicodeDecodeError:
        return "0x" + payload.hex()


LONG = 300  # characters: a longer line is summed up unless --raw


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.0f} KB"


def _summary(payload: bytes) -> str | None:
    """A binary payload in a few words ("PNG 55 KB"); None when it is text."""
    if payload.startswith(b"\x89PNG"):
        return f"PNG {_size(len(payload))}"
    try:
        payload.decode()
    except UnicodeDecodeError:
        return f"binary {_size(len(payload))}"
    return None


def _result_line(doc: dict[str, Any]) -> str:
    """The session result in one short line (the whole of it with --raw)."""
    work = doc.get("compliance") if isinstance(doc.get("compliance"), dict) else {}
    parts = [
        str(doc.get("workout", "?")),
        "completed" if doc.get("completed") else "stopped",
        f"{(doc.get('moving_s') or 0) / 60:.0f} min",
        f"{(doc.get('distance_m') or 0) / 1000:.2f} km",
    ]
    if isinstance(work, dict) and work.get("in_pct") is not None:
        parts.append(f"{work['in_pct']:.0f} % of the work in target")
    if doc.get("analysed"):
        parts.append("analysed")
    return "  ".join(parts)


def format_message(
    topic: str,
    payload: bytes,
    base: str,
    *,
    received: float | None = None,
    tz: tzinfo | None = None,
    raw: bool = False,
) -> str:
    """One readable line: time (the payload's ``ts``, else ``received``), what, values.

    Without ``raw``, a binary payload is summed up ("PNG 55 KB"), the session result
    is one short line, and any other line longer than ``LONG`` is cut with its size.
    """
    relative = topic.removeprefix(f"{base}/") if topic.startswith(f"{base}/") else topic
    binary = None if raw else _summary(payload)
    if binary is not None:
        return f"{_clock(received, tz)}  {relative.ljust(_LABEL_WIDTH)} {binary}"
    try:
        doc: Any = json.loads(payload) if payload else None
    except ValueError:
        doc = None
    ts = doc.get("ts") if isinstance(doc, dict) else None
    if not isinstance(ts, int | float) or not math.isfinite(ts):
        ts = received
    label, text = relative, ""
    if relative in _FORMATTERS and isinstance(doc, dict):
        label, formatter = _FORMATTERS[relative]
        text = formatter(doc)
    elif relative == "status":
        text = _text(payload)
    elif relative.endswith("/availability"):
        label, text = relative.removesuffix("/availability"), f"sensor {_text(payload)}"
    elif relative.startswith("cmd/"):
        label, text = "cmd", f"{relative.removeprefix('cmd/')} {_text(payload)}".rstrip()
    elif relative == "session/result" and isinstance(doc, dict) and not raw:
        label, text = "result", _result_line(doc)
    elif doc is not None:
        text = _generic(doc)
    else:
        text = _text(payload) if payload else "(empty)"
    if not raw and len(text) > LONG:
        text = f"{text[:LONG]}... ({_size(len(payload))}; --raw for all)"
    return f"{_clock(ts, tz)}  {label.ljust(_LABEL_WIDTH)} {text}".rstrip()


def as_json_line(topic: str, payload: bytes, *, retained: bool, received: float) -> str:
    """One JSON object per message for ``--json``: the payload parsed when it is JSON."""
    try:
        value: Any = json.loads(payload)
    except ValueError:
        value = _text(payload)
    doc = {"ts": received, "topic": topic, "retained": retained, "payload": value}
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


async def watch(
    settings: MqttSettings,
    topics: Topics,
    out: Callable[[str], None],
    *,
    as_json: bool,
    raw: bool = False,
    clock: Callable[[], float] = time.time,
) -> None:
    """Print every message under ``<base>`` until cancelled.

    Raises hiitd.errors.MqttError saying why and what to do when the broker
    cannot be reached or the link breaks (a terminal tool: no silent retries).
    """
    try:
        async with contextlib.AsyncExitStack() as stack:
            client = await make_client(settings)
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await stack.enter_async_context(client)
            await client.subscribe(topics.all_filter, qos=1, timeout=OPERATION_TIMEOUT_S)
            async for message in client.messages:
                topic, now = message.topic.value, clock()
                if as_json:
                    out(as_json_line(topic, message.payload, retained=message.retain, received=now))
                else:
                    line = format_message(
                        topic, message.payload, topics.base, received=now, raw=raw
                    )
                    out(line)
    except (aiomqtt.MqttError, OSError, TimeoutError) as exc:
        failure = classify(exc, host=settings.host, port=settings.port)
        raise MqttError(f"{failure.reason}; {failure.advice}") from exc
