"""Checks a media request against its provider's rules and fills in what it leaves out: each
provider's rules live in its slice (`media/<provider>/rules.py`), what they share in
rule_checks.py. Not for the request models or parsing them (requests.py), nor for running a
request (the Studio).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dave.media import catalog
from dave.media.requests import Request, parse_request
from dave.media.rule_checks import ResolvedRequest

__all__ = ["ResolvedRequest", "validate"]


def validate(request: Request | Mapping[str, Any], *, check_files: bool = True) -> ResolvedRequest:
    """Check a request against its provider's capability table and fill in the model.

    Raises InvalidRequest with one line naming the field, the bad value and what is allowed.
    `check_files` opens and decodes local sources and data URIs (blocking I/O: call it from a
    thread in async code); turn it off only where the sources were checked before.
    """
    if isinstance(request, Mapping):
        request = parse_request(request)
    rules = catalog.get(request.provider).rules()
    return rules(request, check_files=check_files)
