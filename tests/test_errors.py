"""app/errors.py and app/routes.py's error_response: error codes and bodies (contract 4-6)."""

from __future__ import annotations

import json

import pytest

from app.errors import (
    HTTP_STATUS,
    INTERNAL_MESSAGE,
    AppError,
    BadInput,
    ErrorCode,
    NotFound,
    graphql_error_body,
    rest_error_body,
)
from app.routes import GRAPHQL_PATH, STATS_PATH, error_response

# The HTTP status of each code, from contract sections 4 to 6.
CONTRACT_STATUS = {
    "UNAUTHENTICATED": 401,
    "NOT_FOUND": 404,
    "BAD_USER_INPUT": 400,
    "INTERNAL_SERVER_ERROR": 500,
}
# Codes the contract gives a status without requiring them of ErrorCode's first four.
LATER_STATUS = {"SERVICE_UNAVAILABLE": 503, "THROTTLED": 429, "REQUEST_TOO_LARGE": 413}


def _status(code: ErrorCode) -> int:
    """The contract's status of the code, where it states one."""
    return {**CONTRACT_STATUS, **LATER_STATUS}.get(code.value, HTTP_STATUS[code])


def test_paths_are_the_contracts() -> None:
    assert GRAPHQL_PATH == "/graphql"
    assert STATS_PATH == "/api/v1/global/campaign-audience-stats"


@pytest.mark.parametrize(("code", "status"), CONTRACT_STATUS.items())
def test_codes_are_spelled_as_in_the_contract_with_their_status(code: str, status: int) -> None:
    assert ErrorCode(code).value == code
    assert ErrorCode(code) == code  # a str, so it goes into JSON as it is
    assert HTTP_STATUS[ErrorCode(code)] == status


def test_every_code_has_a_status() -> None:
    assert set(HTTP_STATUS) == set(ErrorCode)
    assert all(400 <= status < 600 for status in HTTP_STATUS.values())


def test_bad_input_names_the_field() -> None:
    error = BadInput("filter.attempt", "must be at most 1000")
    assert (error.field, error.detail) == ("filter.attempt", "must be at most 1000")
    assert error.message == str(error) == "filter.attempt: must be at most 1000"
    assert error.code is ErrorCode.BAD_USER_INPUT
    assert isinstance(error, AppError)


def test_not_found_carries_its_message() -> None:
    error = NotFound("campaign 7 not found")
    assert error.message == str(error) == "campaign 7 not found"
    assert error.code is ErrorCode.NOT_FOUND
    assert isinstance(error, AppError)


def test_app_error_is_internal_unless_said_otherwise() -> None:
    error = AppError("something")
    assert error.code is ErrorCode.INTERNAL_SERVER_ERROR
    assert error.message == "something"


def test_internal_message_reveals_nothing() -> None:
    assert INTERNAL_MESSAGE == "Internal server error."


@pytest.mark.parametrize("code", list(ErrorCode))
def test_rest_error_body(code: ErrorCode) -> None:
    body = rest_error_body(code, "the message")
    assert body == {"error": {"code": code.value, "message": "the message"}}
    assert json.loads(json.dumps(body)) == body


@pytest.mark.parametrize("code", list(ErrorCode))
def test_graphql_error_body(code: ErrorCode) -> None:
    body = graphql_error_body(code, "the message")
    assert body == {"errors": [{"message": "the message", "extensions": {"code": code.value}}]}
    assert json.loads(json.dumps(body)) == body


@pytest.mark.parametrize("code", list(ErrorCode))
def test_error_response_on_graphql_is_graphql_shaped(code: ErrorCode) -> None:
    response = error_response(GRAPHQL_PATH, code, "no")
    assert response.status_code == _status(code)
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.body) == {
        "errors": [{"message": "no", "extensions": {"code": code.value}}]
    }


@pytest.mark.parametrize("path", [STATS_PATH, "/", "/api/v1/other", "/graphql/static/x.js"])
@pytest.mark.parametrize("code", list(ErrorCode))
def test_error_response_elsewhere_is_rest_shaped(path: str, code: ErrorCode) -> None:
    response = error_response(path, code, "no")
    assert response.status_code == _status(code)
    assert json.loads(response.body) == {"error": {"code": code.value, "message": "no"}}


def test_error_response_takes_a_status_and_headers() -> None:
    response = error_response(
        STATS_PATH,
        ErrorCode.INTERNAL_SERVER_ERROR,
        "busy",
        status=503,
        headers={"Retry-After": "1"},
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert json.loads(response.body)["error"]["code"] == "INTERNAL_SERVER_ERROR"

    graphql = error_response(
        GRAPHQL_PATH, ErrorCode.UNAUTHENTICATED, "who?", headers={"WWW-Authenticate": "Bearer"}
    )
    assert graphql.status_code == 401
    assert graphql.headers["www-authenticate"] == "Bearer"


def test_error_message_is_sent_as_given() -> None:
    message = 'status: unknown audience status "9"; known: 0 (FRESH) … ünïcode'
    response = error_response(STATS_PATH, ErrorCode.BAD_USER_INPUT, message)
    assert json.loads(response.body)["error"]["message"] == message
