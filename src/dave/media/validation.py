"""Checks a media request against its provider's rules and fills in what it leaves out: each
provider's rules live in its slice (`media/<provider>/rules.py`), what they share in
rule_checks.py. Not for the request models or parsing them (requests.py), nor for running a
request (the Studio).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dave.core.errors import InvalidRequest
from dave.media.minimax import rules as minimax_rules
from dave.media.requests import Request, parse_request
from dave.media.rule_checks import ResolvedRequest
from dave.media.stability import rules as stability_rules
from dave.media.xai import rules as xai_rules

__all__ = ["ResolvedRequest", "validate"]

#: Each provider's rules.
_RULES: Mapping[str, Callable[..., ResolvedRequest]] = {
    "xai": xai_rules.validate,
    "minimax": minimax_rules.validate,
    "stability": stability_rules.validate,
}


def validate(request: Request | Mapping[str, Any], *, check_files: bool = True) -> ResolvedRequest:
    """Check a request against its provider's capability table and fill in the model.

    Raises InvalidRequest with one line naming the field, the bad value and what is allowed.
    `check_files` opens and decodes local sources and data URIs (blocking I/O: call it from a
    thread in async code); turn it off only where the sources were checked before.
    """
    if isinstance(request, Mapping):
        request = parse_request(request)
    rules = _RULES.get(request.provider)
    if rules is None:
        known = ", ".join(_RULES)
        raise InvalidRequest(f"unknown provider {request.provider!r}; use one of {known}")
    return rules(request, check_files=check_files)
