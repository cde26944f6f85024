"""Timeouts, retries and error classification for the live checks (AWS, OpenStack, Google Cloud).

AWS: botocore's "standard" retry mode (exponential backoff with jitter; retries throttling, 5xx and
transient connection errors) with a bounded number of attempts and short timeouts, so a dead endpoint
fails a check in seconds. Google Cloud: the same policy by hand (aidc/clouds/gcp/preflight.py `GcpClients.call`:
the client libraries' own retry is turned off), retrying only what `gcp_transient` says. Errors become a
`Failure(kind, reason, hint)`, kind one of: "unreachable", "credentials", "throttled", "permission", "not-found",
"api-disabled" (Google Cloud: the API is not enabled in the project), "error".
Imports of botocore / keystoneauth / google-cloud happen inside the functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_READ_TIMEOUT_S = 20.0

CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "AuthFailure",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "RequestExpired",
    }
)
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
    }
)
PERMISSION_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


class AwsProfileError(ValueError):
    """AWS_PROFILE (or a profile given otherwise) names a profile no config or credentials file holds."""


def aws_session() -> Any:
    """A boto3 Session from the usual chain; AwsProfileError (bad input, one line) for an unknown profile."""
    import boto3
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.session.Session()
    except ProfileNotFound as exc:
        core = botocore.session.get_session()
        known = ", ".join(sorted(core.available_profiles)) or "none"
        raise AwsProfileError(
            f"AWS_PROFILE: {exc.kwargs.get('profile', '?')!r} is not a profile in "
            f"{core.get_config_variable('config_file')} or {core.get_config_variable('credentials_file')} "
            f"(known profiles: {known})"
        ) from None


_HTML = re.compile(r"<\s*(!doctype|html|head|body|title|h1|p|div|center)\b", re.IGNORECASE)
_TITLE = re.compile(r"<\s*(title|h1)[^>]*>(.*?)<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def without_html(text: str) -> str:
    """The text with an HTML page in it reduced to the page's title or heading: a proxy's or a web server's
    error page is not the service's message, and its markup does not belong in a report."""
    match = _HTML.search(text)
    if match is None:
        return text
    before = text[: match.start()].strip().rstrip(":").strip()
    heading = _TITLE.search(text)
    title = " ".join(_TAG.sub(" ", heading.group(2)).split()) if heading else ""
    page = f"an HTML page{f' ({title!r})' if title else ''} instead of an API answer"
    return f"{before}: {page}" if before else page


def one_line(text: str, limit: int = 400) -> str:
    """A message on one line (botocore puts response bodies on following lines), without HTML markup, at
    most `limit` long."""
    flat = " ".join(without_html(str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class Failure:
    """Why a call failed, in words an operator can act on."""

    kind: str
    reason: str
    hint: str

    @property
    def fatal(self) -> bool:
        """Every later call to the same cloud would fail the same way: stop checking it."""
        return self.kind in ("unreachable", "credentials")


def boto_config(
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S,
) -> Any:
    from botocore.config import Config

    return Config(
        # total_max_attempts counts the first call; botocore's "max_attempts" key counts retries only.
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout_s,
        read_timeout=read_timeout_s,
    )


def classify_aws_error(exc: BaseException, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> Failure:
    """Turn a botocore exception into a Failure; anything unknown keeps its message."""
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ConnectionClosedError)):
        return Failure(
            "unreachable",
            f"unreachable: {exc}",
            "check network access to the AWS endpoint (proxy, VPC endpoint, AWS_ENDPOINT_URL) and the region",
        )
    if type(exc).__name__ == "DeadlineExceeded":
        return Failure("unreachable", f"timed out: {exc}", "the endpoint is too slow; raise --timeout")
    if isinstance(exc, bx.ReadTimeoutError):
        return Failure(
            "unreachable", f"timed out: {exc}", "the endpoint accepted but did not answer; retry later"
        )
    if isinstance(exc, ResponseParserError):
        return Failure(
            "unreachable",
            "the endpoint's answer is not an AWS response (it could not be parsed)",
            "check the endpoint (--endpoint-url, AWS_ENDPOINT_URL, a proxy in between) and the region",
        )
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return Failure(
            "credentials",
            f"credentials: {exc}",
            "configure AWS credentials (AWS_PROFILE, `aws sso login`, or AWS_ACCESS_KEY_ID/SECRET)",
        )
    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", "")) or str(exc)
        operation = getattr(exc, "operation_name", "")
        if code in CREDENTIAL_CODES:
            return Failure(
                "credentials",
                f"credentials rejected ({code}): {message}",
                "refresh the session (`aws sso login` or new STS credentials) and run again",
            )
        if code in THROTTLING_CODES:
            return Failure(
                "throttled",
                f"throttled ({code}) on {operation} after {max_attempts} attempts with backoff",
                "AWS is rate-limiting this account; wait a minute and run again, or run fewer tools at once",
            )
        if code in PERMISSION_CODES:
            return Failure(
                "permission",
                f"permission denied ({code}) on {operation}: {message}",
                f"grant the caller the IAM permission for {operation}",
            )
        return Failure("error", one_line(f"{code or 'error'} on {operation}: {message}"), "")
    if isinstance(exc, bx.BotoCoreError):
        return Failure("error", one_line(f"{type(exc).__name__}: {exc}"), "")
    if isinstance(exc, KeyError | TypeError | AttributeError | ValueError):
        # botocore parsed the answer, but it lacks what every AWS answer to the call carries.
        return Failure(
            "unreachable",
            f"the endpoint's answer is not an AWS response ({type(exc).__name__}: {one_line(str(exc), 80)})",
            "check the endpoint (--endpoint-url, AWS_ENDPOINT_URL, a proxy in between) and the region",
        )
    return Failure("error", one_line(f"{type(exc).__name__}: {exc}"), "")


def _root_cause(exc: BaseException) -> BaseException:
    """openstacksdk wraps keystoneauth errors (e.g. in SDKException from authorize()): use the original."""
    from keystoneauth1 import exceptions as ksa

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ksa.ClientException):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return exc


def classify_openstack_error(exc: BaseException) -> Failure:
    """Turn a keystoneauth / openstacksdk exception into a Failure."""
    from keystoneauth1 import exceptions as ksa
    from openstack import exceptions as osx

    exc = _root_cause(exc)

    if isinstance(exc, (ksa.ConnectFailure, ksa.ConnectTimeout, ksa.UnknownConnectionError)):
        return Failure(
            "unreachable",
            f"unreachable: {one_line(str(exc))}",
            "check OS_AUTH_URL / clouds.yaml auth_url and network access to the OpenStack endpoints",
        )
    if isinstance(exc, ksa.RequestTimeout):
        return Failure(
            "unreachable",
            f"timed out: {one_line(str(exc))}",
            "the endpoint did not answer in time; retry later",
        )
    if isinstance(exc, ksa.Unauthorized):
        return Failure(
            "credentials",
            f"credentials rejected (401): {one_line(str(exc))}",
            "the token or password is expired or wrong: refresh the application credential or password",
        )
    if isinstance(exc, (ksa.MissingAuthPlugin, ksa.MissingRequiredOptions, osx.ConfigException)):
        return Failure(
            "credentials",
            f"no usable OpenStack credentials: {one_line(str(exc))}",
            "set OS_CLOUD (clouds.yaml) or OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME",
        )
    if isinstance(exc, ksa.DiscoveryFailure):
        # keystoneauth reports a dead or silent auth URL as a failed version discovery
        prefix = "timed out" if "timed out" in str(exc) else "unreachable"
        return Failure(
            "unreachable",
            f"{prefix}: identity service discovery failed: {one_line(str(exc))}",
            "check OS_AUTH_URL / clouds.yaml auth_url and network access to Keystone",
        )
    if isinstance(exc, (ksa.Forbidden, osx.ForbiddenException)):
        return Failure(
            "permission",
            f"forbidden (403): {one_line(str(exc))}",
            "the project role may not read this; ask an admin",
        )
    if isinstance(exc, osx.HttpException) and getattr(exc, "status_code", None) == 401:
        return Failure(
            "credentials", f"credentials rejected (401): {one_line(str(exc))}", "refresh the credentials"
        )
    if isinstance(exc, osx.HttpException) and getattr(exc, "status_code", None) == 429:
        return Failure(
            "throttled", f"throttled (429) after retries: {one_line(str(exc))}", "wait and run again"
        )
    return Failure("error", f"{type(exc).__name__}: {one_line(str(exc))}", "")


# --- Google Cloud -------------------------------------------------------------------------------------------------
# The google-cloud client libraries raise google.api_core.exceptions for an HTTP error, built from the body's
# {"error": {"code", "message", "errors": [{"reason", ...}], "status", "details": [ErrorInfo ...]}}; requests'
# exceptions for a connection that failed; google.auth's for credentials that could not be found or refreshed;
# google.protobuf's ParseError for a 2xx answer that is not the API's JSON.
GCP_TRANSIENT_STATUS = frozenset({429, 500, 502, 503, 504})
GCP_SERVICE_DISABLED = frozenset({"SERVICE_DISABLED", "accessNotConfigured"})


class GcpDeadlineExceeded(Exception):
    """The preflight's --timeout budget was spent before this Google Cloud request could start."""

    def __init__(self, budget_s: float) -> None:
        super().__init__(f"the --timeout budget of {budget_s:g} s was spent")


def _gcp_error_body(exc: Any) -> dict[str, Any] | None:
    """The {"error": {...}} object of a Google API error response, or None when the answer was not one (an HTML
    page from a proxy, a load balancer's plain text)."""
    response = getattr(exc, "response", None)
    if response is None or not hasattr(response, "json"):
        return None
    try:
        payload = response.json()
    except ValueError:
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    return error if isinstance(error, dict) and isinstance(error.get("message"), str) else None


def _gcp_reasons(error: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The error's reasons (errors[].reason and ErrorInfo.reason) and the ErrorInfo's metadata."""
    reasons = [str(e.get("reason", "")) for e in error.get("errors", []) if isinstance(e, dict)]
    metadata: dict[str, Any] = {}
    for detail in error.get("details", []):
        if isinstance(detail, dict) and detail.get("@type", "").endswith("google.rpc.ErrorInfo"):
            reasons.append(str(detail.get("reason", "")))
            metadata = dict(detail.get("metadata") or {})
    return reasons, metadata


def gcp_transient(exc: BaseException) -> bool:
    """Worth another attempt: throttling, a 5xx, a connection that failed or timed out."""
    import requests
    from google.api_core import exceptions as gx
    from google.auth import exceptions as ga

    if isinstance(exc, gx.GoogleAPICallError):
        return exc.code in GCP_TRANSIENT_STATUS
    return isinstance(
        exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout, ga.TransportError)
    )


def _gcp_http_failure(exc: Any, max_attempts: int) -> Failure:
    """A Google API error response: the API's own message, never its raw body."""
    error = _gcp_error_body(exc)
    code = int(getattr(exc, "code", 0) or 0)
    if error is None:
        response = getattr(exc, "response", None)
        content_type = str(getattr(response, "headers", {}).get("Content-Type", "no content type"))
        return Failure(
            "unreachable",
            f"the endpoint's answer is not a Google API response (HTTP {code}, {content_type.split(';')[0]})",
            "check the endpoint (--gcp-endpoint-url, a proxy in between) and network access to googleapis.com",
        )
    status = str(error.get("status") or type(exc).__name__)
    message = one_line(str(error["message"]))
    reasons, metadata = _gcp_reasons(error)
    if code == 401:
        return Failure(
            "credentials",
            f"credentials rejected (401 {status}): {message}",
            "refresh Application Default Credentials (`gcloud auth application-default login`, or "
            "GOOGLE_APPLICATION_CREDENTIALS naming a valid key) and run again",
        )
    if GCP_SERVICE_DISABLED & set(reasons):
        service = str(metadata.get("service") or "the API")
        consumer = str(metadata.get("consumer") or "").removeprefix("projects/")
        project = f" --project {consumer}" if consumer else ""
        return Failure(
            "api-disabled",
            f"API disabled (403 {status}): {message}",
            f"gcloud services enable {service}{project}",
        )
    if code == 429:
        return Failure(
            "throttled",
            f"throttled (429 {status}) after {max_attempts} attempts with backoff: {message}",
            "Google Cloud is rate-limiting this project; wait a minute and run again",
        )
    if code == 403:
        return Failure(
            "permission",
            f"permission denied (403 {status}): {message}",
            "grant the caller a role that can read this (roles/compute.viewer, roles/serviceusage.serviceUsageViewer, "
            "roles/cloudquotas.viewer)",
        )
    if code == 404:
        return Failure(
            "not-found", f"not found (404 {status}): {message}", "check aidc:gcp.project and aidc:gcp.region"
        )
    return Failure("error", one_line(f"HTTP {code} {status}: {message}"), "")


def classify_gcp_error(exc: BaseException, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> Failure:
    """Turn a google-cloud client library, google-auth or requests exception into a Failure."""
    import requests
    from google.api_core import exceptions as gx
    from google.auth import exceptions as ga
    from google.protobuf.json_format import ParseError

    if isinstance(exc, GcpDeadlineExceeded):
        return Failure("unreachable", f"timed out: {exc}", "the endpoint is too slow; raise --timeout")
    if isinstance(exc, gx.GoogleAPICallError) and getattr(exc, "response", None) is not None:
        return _gcp_http_failure(exc, max_attempts)
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout)):
        return Failure(
            "unreachable", f"timed out: {one_line(str(exc), 200)}", "the endpoint did not answer in time"
        )
    if isinstance(exc, (requests.exceptions.ConnectionError, ga.TransportError)):
        return Failure(
            "unreachable",
            f"unreachable: {one_line(str(exc), 200)}",
            "check network access to the Google Cloud endpoints (a proxy, --gcp-endpoint-url)",
        )
    if isinstance(exc, ga.InvalidOperation) and "Anonymous" in str(exc):
        # a 401 makes google-auth refresh the credentials once; anonymous ones cannot be
        return Failure(
            "credentials",
            "credentials rejected: the endpoint answered 401 UNAUTHENTICATED to an anonymous call",
            "the endpoint wants credentials: drop --gcp-credentials anonymous (Application Default Credentials)",
        )
    if isinstance(exc, ga.DefaultCredentialsError):
        return Failure(
            "credentials",
            f"no Application Default Credentials: {one_line(str(exc), 200)}",
            "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a key file",
        )
    if isinstance(exc, ga.RefreshError):
        # google-auth raises RefreshError(message, response body): the message alone
        said = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
        return Failure(
            "credentials",
            f"credentials rejected: {one_line(said, 200)}",
            "refresh Application Default Credentials (`gcloud auth application-default login`) and run again",
        )
    if isinstance(exc, ParseError | KeyError | TypeError | ValueError):
        return Failure(
            "unreachable",
            f"the endpoint's answer is not a Google API response ({type(exc).__name__}: {one_line(str(exc), 80)})",
            "check the endpoint (--gcp-endpoint-url, a proxy in between)",
        )
    if isinstance(exc, gx.GoogleAPIError):
        return Failure("error", one_line(f"{type(exc).__name__}: {exc}"), "")
    return Failure("error", one_line(f"{type(exc).__name__}: {exc}"), "")
