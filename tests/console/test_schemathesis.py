"""Schemathesis drives every API operation with generated input (valid and not) as a national
administrator: no answer may be a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from govsite.console.models import ApiToken
from tests.console.conftest import Console


@pytest.fixture
def api_schema(db):  # noqa: ANN001, ANN201
    from django.core import signals
    from django.db import close_old_connections

    from govsite.project.wsgi import application

    # Like Django's test client: the WSGI handler must not close the test's connection (its
    # transaction holds the test data) at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield _load(application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _load(application):  # noqa: ANN001, ANN202

    # django-ninja publishes OpenAPI 3.1, which schemathesis 3.x supports behind this switch.
    schemathesis.experimental.OPEN_API_3_1.enable()
    return schemathesis.from_wsgi("/console/api/openapi.json", application)


schema = schemathesis.from_pytest_fixture("api_schema")


@pytest.fixture
def token(console: Console) -> str:
    return ApiToken.issue(console.w.users["nadmin"], "schemathesis")[1]


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_a_server_error(case, token: str) -> None:  # noqa: ANN001
    response = case.call_wsgi(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=(not_a_server_error,))
