"""When to ask a provider again whether an asynchronous job is done.

The schedule starts from how long such jobs usually take (the journal's own history, else a
documented default): sparse polls early, about one a second around the expected finish, backing
off again when a job runs long. Not for HTTP retries: dave.core.http owns those.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# With no history: x.ai's docs say video jobs take "up to several minutes"; short 480p clips
# usually finish well inside a minute, so expect 45 s and let the history correct it.
DEFAULT_EXPECTED_S = {"video": 45.0}
FALLBACK_EXPECTED_S = 30.0


@dataclass(frozen=True)
class PollSchedule:
    """Delay before the next poll, given the seconds since the job was submitted."""

    expected_s: float
    floor_s: float = 1.0
    ceiling_s: float = 15.0
    jitter: float = 0.1

    def delay(self, elapsed_s: float, progress: int | None = None) -> float:
        """When the provider reports progress, aim at the finish it implies; else follow the
        expected duration."""
        if progress is not None and 0 < progress < 100 and elapsed_s > 0:
            return self._toward_finish(elapsed_s, progress)
        expected = max(self.expected_s, self.floor_s)
        if elapsed_s < 0.6 * expected:
            # Too early to be likely done: one poll per ~half of the remaining wait.
            base = (0.6 * expected - elapsed_s) / 2
        elif elapsed_s < 1.5 * expected:
            base = self.floor_s
        else:
            # Running long: back off in proportion to how late it is.
            base = (elapsed_s - expected) / 4
        base = min(max(base, self.floor_s), self.ceiling_s)
        return base * (1 + random.uniform(-self.jitter, self.jitter))

    def _toward_finish(self, elapsed_s: float, progress: int) -> float:
        # Progress is a whole percent, so p% at t means the finish lies in
        # [t*100/(p+1), t*100/p]. Polling at the early end never overshoots, and each answer
        # narrows the range: a few polls land just after the finish.
        earliest_finish = elapsed_s * 100 / (progress + 1)
        return min(max(earliest_finish - elapsed_s, self.floor_s), 4 * self.ceiling_s)


def expected_duration(history_s: list[float], kind: str) -> float:
    """The median of recent durations of this kind of job, else the documented default."""
    if len(history_s) >= 3:
        ordered = sorted(history_s)
        return ordered[len(ordered) // 2]
    return DEFAULT_EXPECTED_S.get(kind, FALLBACK_EXPECTED_S)
