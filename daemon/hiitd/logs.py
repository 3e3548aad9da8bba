"""structlog set-up: JSON lines for journald, a readable console on a terminal.

Third-party loggers (bleak, aiomqtt, amqtt) go through the standard library and
are rendered by the same processors, so one run gives one consistent stream.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TYPE_CHECKING, Any, TextIO

import structlog

if TYPE_CHECKING:
    from structlog.typing import EventDict, Processor, WrappedLogger

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_LEVELS["error"] = logging.ERROR

# Keys whose values are never written, whatever logs them (defence in depth:
# the code never logs secrets on purpose, this catches accidents).
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|credential", re.IGNORECASE)
MASK = "**********"


def mask_secrets(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """Replace the value of any key that looks like a secret with a mask."""
    for key in list(event_dict):
        if _SECRET_KEY.search(key) and event_dict[key] is not None:
            event_dict[key] = MASK
    return event_dict


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        mask_secrets,
    ]


def configure_logging(level: str = "info", fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Route structlog and the standard library to ``stream`` (stderr by default).

    ``fmt="auto"`` picks the console renderer on a terminal and JSON otherwise
    (systemd/journald, pipes, tests).
    """
    out = stream or sys.stderr
    as_json = fmt == "json" or (fmt == "auto" and not out.isatty())
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=out.isatty())
    )
    shared = _shared_processors()
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS[level])
    # bleak logs every D-Bus message at debug; keep it at info unless asked.
    for noisy in ("bleak", "dbus_fast"):
        logging.getLogger(noisy).setLevel(max(_LEVELS[level], logging.INFO))
    # The embedded demo broker (amqtt and its state machine library) narrates every
    # client state change at info; only its problems matter to us.
    for chatty in ("amqtt", "transitions", "passlib"):
        logging.getLogger(chatty).setLevel(max(_LEVELS[level], logging.WARNING))


def bind(**values: Any) -> None:
    """Bind context (session id, device) for every log line in this task."""
    structlog.contextvars.bind_contextvars(**values)
