"""Schemathesis against the served OpenAPI document (C21.1.12): every operation, fed
generated requests (valid and not) with a write token, answers without a server error,
and every error it gives is a problem document. Derandomised: the same cases each run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

from tests.api.conftest import Served

EXAMPLES = 25  # per operation: about 300 requests in all, seconds on each engine


def fuzzer(operation: Any, served: Served, failures: list[str]) -> Callable[[], None]:
    """A Hypothesis test sending `operation` generated requests with a write token."""
    headers = {"Authorization": f"Bearer {served.tokens['write']}"}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        response = case.call(base_url=served.url, headers=headers)
        where = f"{case.method} {case.formatted_path} -> {response.status_code}"
        if response.status_code >= 500:
            failures.append(f"{where}: {response.text[:200]}")
        elif response.status_code >= 400:
            kind = "".join(response.headers.get("content-type", []))
            if kind != "application/problem+json":
                failures.append(f"{where} as {kind}")

    return cast("Callable[[], None]", fuzz)


def test_no_generated_request_gets_a_server_error(served: Served) -> None:
    schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)]
    assert len(operations) >= 10
    failures: list[str] = []
    for operation in operations:
        fuzzer(operation, served, failures)()
    assert failures == []


@pytest.mark.parametrize("path", ["/openapi.json"])
def test_the_document_names_the_bearer_scheme_and_every_resource(served: Served,
                                                                  path: str) -> None:
    with served.client(None) as http:
        document = http.get(path).json()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert {"/v1/segments", "/v1/segments/{ref}", "/v1/segments/{ref}/members",
            "/v1/segments/{ref}/members/export", "/v1/segments/{ref}/changes",
            "/v1/rules/count", "/v1/contacts", "/v1/contacts/{key}", "/v1/contacts/batch",
            "/v1/events/batch"} <= set(document["paths"])
