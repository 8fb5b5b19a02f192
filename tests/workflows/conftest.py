"""The store fixture on both engines, for workflows that keep what they compute."""

from scarwise.testing.store_fixtures import *  # noqa: F403
