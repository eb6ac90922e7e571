"""The registry and role fixtures are shared with the feedback tests."""

from tests.feedback.conftest import world  # noqa: F401 - re-exported fixture
