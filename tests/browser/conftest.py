"""The live service the browser tests open."""

from tests.support.browser import server  # noqa: F401 - a fixture
