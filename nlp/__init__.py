"""Pure, synchronous triage: clean, redact and classify citizen texts.

Nothing in this package imports telegram, twilio or a web framework; the service calls it
from worker threads or processes.
"""

from __future__ import annotations

from nlp.errors import DataError, ModelError, TriageError
from nlp.redact import redact
from nlp.result import TriageResult

__all__ = ["DataError", "ModelError", "TriageError", "TriageResult", "redact"]
