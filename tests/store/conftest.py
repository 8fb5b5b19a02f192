from scarwise.testing.store_fixtures import *  # noqa: F403  (the store fixtures, both engines)
