"""Publishing: making a kept asset reachable at a lasting link, in a local folder or in an
S3-compatible store, under a key made from its content.

Not for making media (dave.media) nor for keeping it (dave.store): publishing moves files.
"""
