"""The treatment planner: a pure function from a profile and the knowledge base to a plan.

``plan(profile)`` validates the profile, applies the rules of the knowledge base, passes every
option through the one safety filter (:mod:`scarwise.planner.safety`), sequences phases and
explains itself. Importing this package loads no heavy library; the knowledge base loads on the
first call.
"""

from scarwise.planner.models import Plan, Profile
from scarwise.planner.planning import parse_profile, plan

__all__ = ["Plan", "Profile", "parse_profile", "plan"]
