"""Spoken length: how long a cue takes to say, and what the session has said.

The estimate (``spoken_s``) is a cue's words, numbers counted as they are said
("4:05" is "four oh five", "150" "one hundred fifty"), at a nominal speaking rate
(``CoachConfig.speech_wpm``, espeak-ng's default 175 words a minute) plus a short
pause. ``SpeechLog`` keeps what was sent in the last minute and in the current
step, and what was dropped per step: the speech budget's memory (budget.py).
"""

from __future__ import annotations

import re
from collections import deque

PAUSE_S = 0.3  # between two cues: a speaker's breath, a notification's chime
WINDOW_S = 60.0  # "any minute"

_DIGITS = re.compile(r"\d+")
_LETTERS = re.compile(r"[^\W\d_]")


def _number_words(n: int) -> int:
    """Words to say a whole number: 7 "seven", 45 "forty five", 150 "one hundred fifty"."""
    if n < 20 or (n < 100 and n % 10 == 0):
        return 1
    if n < 100:
        return 2
    if n < 1000:
        rest = n % 100
        return 2 + (_number_words(rest) if rest else 0)
    rest = n % 1000
    return _number_words(n // 1000) + 1 + (_number_words(rest) if rest else 0)


def words(text: str) -> int:
    """Spoken words in ``text``, numbers as said ("4:05" three, "4:30" two, "%" one)."""
    total = 0
    for token in text.split():
        groups = _DIGITS.findall(token)
        if _LETTERS.search(token) or not groups:
            total += 1 if token.strip(".,:;!?-") else 0
        for g in groups:
            # "05" of "4:05" is "oh five"
            total += 2 if len(g) == 2 and g[0] == "0" else _number_words(int(g))
    return total


def spoken_s(text: str, wpm: float) -> float:
    """The estimated time to say ``text`` at ``wpm`` words a minute, with its pause."""
    return words(text) * 60.0 / wpm + PAUSE_S


class SpeechLog:
    """What was said in the last minute and in the current step, and what was dropped.

    A tracker of the session state (one per session): changed only by ``settle``.
    """

    __slots__ = ("_recent", "busy_until", "dropped", "step", "step_said_s")

    def __init__(self) -> None:
        self._recent: deque[tuple[float, float]] = deque()  # (sent at, spoken seconds)
        self.busy_until = float("-inf")  # when the speech already sent ends
        self.step: int | None = None  # the step ``step_said_s`` counts for
        self.step_said_s = 0.0
        self.dropped: dict[int, int] = {}  # step index -> cues dropped

    def minute_s(self, now: float) -> float:
        """Spoken seconds of the cues sent in the last ``WINDOW_S``."""
        while self._recent and self._recent[0][0] <= now - WINDOW_S:
            self._recent.popleft()
        return sum(d for _, d in self._recent)

    def since(self, t: float) -> float:
        """Spoken seconds of the cues sent after ``t`` (within the last minute)."""
        return sum(d for at, d in self._recent if at > t)

    def in_step(self, index: int | None) -> float:
        """Spoken seconds sent while step ``index`` ran (0 for a new step)."""
        if index != self.step:
            self.step, self.step_said_s = index, 0.0
        return self.step_said_s

    def note(self, now: float, seconds: float, index: int | None) -> None:
        """A cue of ``seconds`` sent at ``now`` while step ``index`` ran."""
        self._recent.append((now, seconds))
        self.busy_until = max(self.busy_until, now) + seconds
        self.in_step(index)
        self.step_said_s += seconds

    def drop(self, index: int | None) -> None:
        """One more cue of step ``index`` dropped."""
        if index is not None:
            self.dropped[index] = self.dropped.get(index, 0) + 1
