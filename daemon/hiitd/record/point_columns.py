"""The points of the session being recorded, in compact append-only columns. Pure.

A 3-hour session gathers about 11,000 heart-rate and 22,000 footpod points. As
frozen objects (a point, its floats, its RR tuple) they take about 10 MB of
small blocks, and when the session ends CPython's allocator cannot give that
memory back: the few long-lived objects allocated meanwhile pin its 1 MB
arenas (the soak, tests/soak.py, measured RSS +19 MB after a 3-hour session,
+3 MB without the points). In typed arrays the same points take about 1 MB in
a handful of large buffers, which are freed whole.

``HrColumns``/``PodColumns`` belong to the record builder (one writer);
``view()`` is an immutable ``Sequence`` of the points so far (the columns only
ever grow, so the first ``n`` never change). A view builds each point when it
is read: code that reads a record many times (metrics, exports) takes
``SessionRecord.materialized()`` first.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Generic, TypeVar, overload

from hiitd.record.session_record import HrPoint, PodPoint

_NO_BPM = -1
_NO_FLAG = -1

P = TypeVar("P", HrPoint, PodPoint)


class HrColumns:
    """Heart-rate points as columns; ``bpm``/``contact`` None as -1, RR flattened."""

    __slots__ = ("bpm", "contact", "rr", "rr_end", "t")

    def __init__(self, points: Iterable[HrPoint] = ()) -> None:
        self.t = array("d")
        self.bpm = array("i")
        self.contact = array("b")
        self.rr = array("d")
        self.rr_end = array("q")  # rr[rr_end[i - 1]:rr_end[i]] are point i's intervals
        for p in points:
            self.append(p.t, p.bpm, p.rr_ms, p.contact)

    def append(
        self, t: float, bpm: int | None, rr_ms: Sequence[float], contact: bool | None
    ) -> None:
        """Add a point at the end."""
        self.t.append(t)
        self.bpm.append(_NO_BPM if bpm is None else bpm)
        self.contact.append(_NO_FLAG if contact is None else int(contact))
        self.rr.extend(rr_ms)
        self.rr_end.append(len(self.rr))

    def __len__(self) -> int:
        return len(self.t)

    def point(self, i: int) -> HrPoint:
        """Point ``i`` (0 <= i < len) as a value."""
        start = self.rr_end[i - 1] if i else 0
        bpm, contact = self.bpm[i], self.contact[i]
        return HrPoint(
            self.t[i],
            None if bpm == _NO_BPM else bpm,
            tuple(self.rr[start : self.rr_end[i]]),
            None if contact == _NO_FLAG else bool(contact),
        )

    def view(self) -> PointView[HrPoint]:
        """The points so far, immutable."""
        return PointView(self.point, len(self.t))


class PodColumns:
    """Footpod points as columns; ``stride_m``/``distance_m`` None as NaN."""

    __slots__ = ("cadence", "distance", "speed", "stride", "t")

    def __init__(self, points: Iterable[PodPoint] = ()) -> None:
        self.t = array("d")
        self.speed = array("d")
        self.cadence = array("d")
        self.stride = array("d")
        self.distance = array("d")
        for p in points:
            self.append(p.t, p.speed_mps, p.cadence_spm, p.stride_m, p.distance_m)

    def append(
        self,
        t: float,
        speed_mps: float,
        cadence_spm: float,
        stride_m: float | None,
        distance_m: float | None,
    ) -> None:
        """Add a point at the end."""
        self.t.append(t)
        self.speed.append(speed_mps)
        self.cadence.append(cadence_spm)
        self.stride.append(math.nan if stride_m is None else stride_m)
        self.distance.append(math.nan if distance_m is None else distance_m)

    def __len__(self) -> int:
        return len(self.t)

    def point(self, i: int) -> PodPoint:
        """Point ``i`` (0 <= i < len) as a value."""
        stride, distance = self.stride[i], self.distance[i]
        return PodPoint(
            self.t[i],
            self.speed[i],
            self.cadence[i],
            None if math.isnan(stride) else stride,
            None if math.isnan(distance) else distance,
        )

    def view(self) -> PointView[PodPoint]:
        """The points so far, immutable."""
        return PointView(self.point, len(self.t))


class PointView(Sequence[P], Generic[P]):
    """The first ``n`` points of growing columns; equal to the tuple of the same points."""

    __slots__ = ("_n", "_point")
    _point: Callable[[int], P]
    _n: int

    def __init__(self, point: Callable[[int], P], n: int) -> None:
        self._point = point
        self._n = n

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> P: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[P, ...]: ...
    def __getitem__(self, index: int | slice) -> P | tuple[P, ...]:
        if isinstance(index, slice):
            return tuple(map(self._point, range(*index.indices(self._n))))
        i = index + self._n if index < 0 else index
        if not 0 <= i < self._n:
            raise IndexError("point index out of range")
        return self._point(i)

    def __iter__(self) -> Iterator[P]:
        return map(self._point, range(self._n))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PointView | tuple | list):
            return len(other) == self._n and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"PointView({self._n} points)"
