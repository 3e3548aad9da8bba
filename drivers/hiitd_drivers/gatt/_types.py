"""Types shared by the parsers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Callable

# bleak hands notification values over as bytearray, tests and the CLI use bytes;
# mypy (strict bytes) no longer treats those as interchangeable, so say both.
# (collections.abc.Buffer would do, but it is Python 3.12+ and hiitd runs on 3.11.)
Payload: TypeAlias = bytes | bytearray | memoryview


def slot_setter(cls: type, name: str) -> Callable[[object, Any], None]:
    """The setter of slot ``name`` of ``cls``, which bypasses a frozen dataclass's ``__setattr__``.

    For the parsers' hot path only: building a frozen dataclass through its
    ``__init__`` costs one ``object.__setattr__`` call per field.
    """
    setter: Callable[[object, Any], None] = getattr(cls, name).__set__
    return setter
