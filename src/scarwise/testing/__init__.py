"""Ground truth built by code: synthetic skin, scars of known shape, profiles and demo data.

Each module builds one kind of fixture; the tests (and users' own tests) import them from here.
"""
