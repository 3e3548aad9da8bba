"""The D-Bus signatures BlueZ uses, as ``Annotated`` types for dbus-fast's service API."""

from typing import Annotated

from dbus_fast import Variant
from dbus_fast.annotations import DBusSignature

Bool = Annotated[bool, DBusSignature("b")]
Int16 = Annotated[int, DBusSignature("n")]
Str = Annotated[str, DBusSignature("s")]
Path = Annotated[str, DBusSignature("o")]
Bytes = Annotated[bytes, DBusSignature("ay")]
Strs = Annotated[list[str], DBusSignature("as")]
Options = Annotated[dict[str, Variant], DBusSignature("a{sv}")]
ManufacturerData = Annotated[dict[int, Variant], DBusSignature("a{qv}")]
ServiceData = Annotated[dict[str, Variant], DBusSignature("a{sv}")]
Paths = Annotated[list[str], DBusSignature("ao")]
UInt16 = Annotated[int, DBusSignature("q")]
