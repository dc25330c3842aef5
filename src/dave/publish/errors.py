"""The errors a publishing target raises: one line each, naming the bucket, endpoint or key
and never a credential.

Not for settings that cannot be used (dave.core.errors.ConfigError) nor for a missing asset
(NotFound): these say that the place to publish to refused or could not be reached.

    DaveError
     └── PublishError          the target answered badly; the message names what and where
          ├── TargetUnreachable  the endpoint could not be reached (DNS, refused, timed out)
          ├── BucketMissing      the bucket does not exist
          └── CredentialsRefused no credentials, or the store refused them or their permission
"""

from __future__ import annotations

from dave.core.errors import DaveError


class PublishError(DaveError):
    """A target could not place or find an object; nothing was recorded as published."""

    hint = "nothing was published; try again later"


class TargetUnreachable(PublishError):
    hint = "check the endpoint URL and the network; nothing was published"


class BucketMissing(PublishError):
    hint = "create the bucket, or check its name and region"


class CredentialsRefused(PublishError):
    hint = (
        "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), and that they "
        "may read and write the bucket"
    )
