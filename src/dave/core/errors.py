"""Every error dave raises on purpose, in one tree.

Not for control flow inside a provider module: those raise these types and nothing else.

    DaveError                      one clear line for a user; the CLI exits 1
     ├── ConfigError               a missing key, a bad config.toml, an unusable DAVE_HOME
     ├── InvalidRequest            bad input caught before any money is spent
     ├── NotFound                  no such job, asset or file
     ├── StoreError                the database or the media folder refused
     │    └── StateConflict        (dave.store.jobs) a compare-and-set transition found the
     │                             job in another state; nothing was changed
     ├── VerificationFailed        downloaded bytes are not what was promised
     ├── PublishError              (dave.publish.errors) a publishing target refused or could
     │                             not be reached; nothing was recorded as published
     └── ProviderError             the provider answered badly (provider, status, code, request id)
          ├── Unauthorized         401/403: the key is missing, wrong or lacks permission
          ├── RateLimited          429, retries exhausted
          ├── OutOfCredit          the account's balance or plan quota is used up (402)
          ├── Rejected             the provider refused the parameters (a 400/422 after
          │                        dave's own checks passed): nothing was made or charged
          ├── Moderated            the provider refused the prompt or the output
          ├── JobFailed            an asynchronous job ended "failed"
          ├── JobExpired           an asynchronous job ended "expired"
          ├── ProviderUnavailable  5xx or the network, retries exhausted, nothing was charged
          └── OutcomeUnknown       a billable request was sent and its answer lost: it may have
                                   been done (and charged); dave never resends it by itself
"""

from __future__ import annotations


class DaveError(Exception):
    """The root of dave's errors; `str(error)` is the one line a user reads."""

    hint: str | None = None
    #: The journaled job this error ended, when there is one (for `dave jobs show`).
    job_id: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def user_line(self) -> str:
        """The message and, when there is one, what to do next."""
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(DaveError):
    """Settings are missing or unusable."""


class InvalidRequest(DaveError):
    """The request would be refused (or waste money); nothing was sent."""


class NotFound(DaveError):
    """No job, asset or file by that name."""


class StoreError(DaveError):
    """The journal or the media folder could not be written or read."""


class VerificationFailed(DaveError):
    """A download is truncated, empty or does not decode as the promised format."""


class ProviderError(DaveError):
    """The provider answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.provider = provider
        self.status = status
        self.code = code
        self.request_id = request_id

    def user_line(self) -> str:
        where = self.provider if self.status is None else f"{self.provider} HTTP {self.status}"
        return f"{where}: {super().user_line()}"


class Unauthorized(ProviderError):
    # `--offline` belongs to each command (`dave image ... --offline`), not to `dave` itself.
    hint = "check the API key, or add --offline to the command to use the built-in emulator"


class RateLimited(ProviderError):
    hint = "wait a minute and try again, or lower the concurrency"


class OutOfCredit(ProviderError):
    hint = "top up the account or wait for the plan's quota to renew; nothing was made"


class Rejected(ProviderError):
    hint = "the provider refused these parameters; nothing was made or charged"


class Moderated(ProviderError):
    hint = "the provider's content policy refused it; rephrase the prompt"


class JobFailed(ProviderError):
    hint = "the provider could not make it; try again or change the request"


class JobExpired(ProviderError):
    hint = "the provider dropped the job before it was fetched; submit it again"


class ProviderUnavailable(ProviderError):
    hint = "the provider or the network is down; nothing was charged, try again later"


class OutcomeUnknown(ProviderError):
    hint = (
        "the request was sent but its answer was lost; it may have been charged. "
        "See `dave jobs show ID`; `dave jobs resume ID --resubmit` sends it again"
    )
