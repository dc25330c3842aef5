"""Stability AI's slice of the media layer: its models, defaults and prices."""
