"""The workouts a runner can pick by name: the built-in library plus imported files.

Imported workouts live in ``<state_dir>/workouts/`` (``hiitd workouts import FILE``
validates a file and copies it there). MQTT commands and the Home Assistant
select name a workout from this catalogue, never a path, so nothing arriving
over the network can make the daemon read an arbitrary file.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hiitd.coach.resolve import resolve_workout
from hiitd.errors import WorkoutError
from hiitd.plan.ladders import plan_workout
from hiitd.workouts.library import builtin_workouts, get_builtin
from hiitd.workouts.loader import SUFFIXES, load_workout_file

if TYPE_CHECKING:
    from hiitd.coach.profile import AthleteProfile
    from hiitd.coach.workout_model import Workout

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """``"My 6 x 800 m"`` -> ``"my-6-x-800-m"``: a catalogue name from a title or file name."""
    return _SLUG.sub("-", text.lower()).strip("-") or "workout"


@dataclass(frozen=True, slots=True)
class Entry:
    """One workout in the catalogue."""

    name: str
    description: str
    level: str
    source: str  # "builtin" or the imported file


class WorkoutCatalog:
    """Built-ins and imported workouts, looked up by name and resolved for the athlete."""

    def __init__(self, state_dir: Path, profile: AthleteProfile) -> None:
        self.directory = state_dir / "workouts"
        self.profile = profile

    def use_profile(self, profile: AthleteProfile) -> None:
        """Resolve from now on against ``profile`` (a confirmed max HR: zones follow it)."""
        self.profile = profile

    def _imported(self) -> dict[str, Path]:
        if not self.directory.is_dir():
            return {}
        files = sorted(p for p in self.directory.iterdir() if p.suffix.lower() in SUFFIXES)
        return {slug(p.stem): p for p in files if p.is_file()}

    def entries(self) -> list[Entry]:
        """Every workout, built-ins first; an unreadable imported file is listed with its error."""
        out = [Entry(w.name, w.description, w.level, "builtin") for w in builtin_workouts()]
        for name, path in self._imported().items():
            try:
                w = load_workout_file(path)
            except WorkoutError as exc:
                out.append(Entry(name, f"unusable: {exc.reason}", "", str(path)))
            else:
                out.append(Entry(name, w.description, w.level, str(path)))
        return out

    def names(self) -> list[str]:
        """The names a command or the Home Assistant select may use."""
        return [e.name for e in self.entries()]

    def get(self, name: str, *, resolve: bool = True) -> Workout:
        """The named workout, its targets resolved against the athlete's profile."""
        path = self._imported().get(slug(name))
        if path is not None:
            workout = load_workout_file(path)
        elif name.startswith("plan-"):  # a rung of the plan (hiitd plan next)
            workout = plan_workout(name)
        else:
            try:
                workout = get_builtin(name)
            except (KeyError, WorkoutError):
                raise WorkoutError(
                    f"no workout named {name!r}; 'hiitd workouts list' shows the names"
                ) from None
        return resolve_workout(workout, self.profile) if resolve else workout

    def find(self, name_or_path: str) -> Workout:
        """For the local command line only: a catalogue name, or a workout file's path."""
        path = Path(name_or_path).expanduser()
        if path.suffix.lower() in SUFFIXES or path.is_file():
            return resolve_workout(load_workout_file(path), self.profile)
        return self.get(name_or_path)

    def import_file(self, source: Path) -> Entry:
        """Validate a workout file (it must parse and resolve) and copy it into the catalogue."""
        workout = load_workout_file(source)
        resolve_workout(workout, self.profile)
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{slug(source.stem)}{source.suffix.lower()}"
        shutil.copyfile(source, target)
        return Entry(slug(source.stem), workout.description, workout.level, str(target))
