"""Schemathesis against the app's own OpenAPI schema: no 5xx, every response as documented."""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from claimscope.app import create_app
from claimscope.core import Claimscope
from claimscope.settings import load_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fixture_plugins import Basic

EXAMPLES_PER_OPERATION = 25
# What a response must honour. Left out on purpose: "every schema-valid request succeeds" (a
# forged but well-formed cursor is rightly a 400), "every schema-violating request fails" (a
# query string has no types: `actor=false` is a fine name), and Allow on OPTIONS (Litestar's
# automatic answer lists one handler's methods); those cases have their own tests.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# The schema must exist when the module is collected (schemathesis.pytest.from_fixture does
# not work with this pytest), so the app is built here and closed by the fixture below.
_data = tempfile.TemporaryDirectory()
_settings = load_settings({}, data_dir=_data.name)
_core = Claimscope.open(_settings, entry_points=False, extra_plugins=[Basic()])
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(_settings, core=_core))


@pytest.fixture(scope="module", autouse=True)
def _close_app():
    yield
    _core.close()
    _data.cleanup()


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_honours_its_schema(case):
    case.call_and_validate(checks=CHECKS)
