"""A stand-in analysis child whose metrics hold a value JSON cannot carry (1e309 is inf).

The real analysis runs; one metric is then replaced by infinity, which Python's
json writes as ``Infinity``: valid for Python's reader, not for MQTT consumers.
"""

from __future__ import annotations

import json
import pickle
import sys

from hiitd.runtime.analysis_child import Job, analyse

job = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from the daemon under test
assert isinstance(job, Job)
out = analyse(job)
out["metrics"]["duration_s"] = float("1e309")
json.dump(out, sys.stdout)
