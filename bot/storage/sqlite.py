"""``SQLiteStore``: the default ``FeedbackStore``, on one aiosqlite connection.

The implementation is split by table group: ``_sqlite_core`` (connection, transactions,
migrations, meta, audit), ``_sqlite_citizens``, ``_sqlite_messages``, ``_sqlite_feedback``,
``_sqlite_staff``, ``_sqlite_results``, ``_sqlite_areas`` and ``_sqlite_open311``. Every
statement is parameterised; the few SQL fragments assembled at run time come from constants
in those modules, never from input.
"""

from __future__ import annotations

from bot.storage._sqlite_areas import AreaMixin
from bot.storage._sqlite_citizens import CitizenMixin
from bot.storage._sqlite_core import MEMORY
from bot.storage._sqlite_feedback import FeedbackMixin
from bot.storage._sqlite_messages import MessageMixin
from bot.storage._sqlite_open311 import Open311Mixin
from bot.storage._sqlite_results import ResultsMixin
from bot.storage._sqlite_staff import StaffMixin

__all__ = ["MEMORY", "SQLiteStore"]


class SQLiteStore(CitizenMixin, MessageMixin, FeedbackMixin, StaffMixin, ResultsMixin,
                  AreaMixin, Open311Mixin):
    """A ``FeedbackStore`` in one SQLite file (or ``":memory:"``).

    ``SQLiteStore(path)`` does not connect; ``await store.open()`` (or ``async with``)
    connects, enables WAL, foreign keys, a 5 s busy timeout and ``synchronous=NORMAL``, and
    migrates the schema. ``clock`` and ``reference_factory`` exist for tests.
    """
