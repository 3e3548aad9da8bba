"""Load a workout from a file or a built-in name: the importers' one entry point.

The only I/O in ``hiitd.workouts`` importers is here: reading the given path,
at most ``MAX_FILE_BYTES`` of it. The format comes from the suffix, or, for an
unknown suffix, from the content (a FIT header, ``<workout_file``, TOML, text).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hiitd.errors import WorkoutError
from hiitd.workouts._common import MAX_FILE_BYTES
from hiitd.workouts.fit_workout import parse_fit_workout
from hiitd.workouts.icu_text import parse_icu_text
from hiitd.workouts.library import get_builtin
from hiitd.workouts.toml_format import parse_toml_workout
from hiitd.workouts.zwo import parse_zwo

if TYPE_CHECKING:
    from hiitd.coach.workout_model import Workout

SUFFIXES = (".zwo", ".fit", ".txt", ".md", ".toml")


def read_limited(path: Path) -> bytes:
    """The file's bytes, refusing a missing file, a directory or one over ``MAX_FILE_BYTES``."""
    source = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise WorkoutError("no such file", source=source) from None
    except IsADirectoryError:
        raise WorkoutError("is a directory, not a workout file", source=source) from None
    except OSError as exc:
        raise WorkoutError(f"cannot read: {exc.strerror or exc}", source=source) from None
    if len(data) > MAX_FILE_BYTES:
        raise WorkoutError(
            f"larger than {MAX_FILE_BYTES // 1000} kB: not a workout file",
            source=source,
            position="whole file",
        )
    return data


def _text(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WorkoutError("not UTF-8 text", source=source, position=f"byte {exc.start}") from None


def _sniff(data: bytes) -> str:
    """Guess the format of a file with an unknown suffix."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return ".fit"
    head = data[:2048].lstrip().lower()
    if b"<workout_file" in head:
        return ".zwo"
    if head.startswith((b"[", b"name")) or b"\n[" in head:
        return ".toml"
    return ".txt"


def parse_workout(data: bytes, source: str, suffix: str | None = None) -> Workout:
    """Parse workout bytes by suffix (.zwo, .fit, .txt/.md, .toml), else by content."""
    kind = (suffix or "").lower()
    if kind not in SUFFIXES:
        kind = _sniff(data)
    if kind == ".zwo":
        return parse_zwo(data, source)
    if kind == ".fit":
        return parse_fit_workout(data, source)
    if kind == ".toml":
        return parse_toml_workout(_text(data, source), source)
    return parse_icu_text(_text(data, source), source)


def load_workout_file(path: str | Path) -> Workout:
    """Read and parse one workout file; any problem is a WorkoutError naming the file."""
    path = Path(path)
    return parse_workout(read_limited(path), str(path), path.suffix)


def find_workout(name_or_path: str) -> Workout:
    """A built-in workout by name, else a workout file by path."""
    path = Path(name_or_path).expanduser()
    if path.suffix.lower() in SUFFIXES or path.exists():
        return load_workout_file(path)
    return get_builtin(name_or_path)
