"""The treatment planner: a pure function from a profile and the knowledge base to a plan.

``plan(profile)`` validates the profile, applies the rules of the knowledge base, sequences phases,
explains itself, and passes the finished plan through the one final safety check
(:mod:`scarwise.planner.safety`). Parts of plans are remembered in one bounded, switchable
:class:`Memo` (``plan(profile, memo=Memo(enabled=False))`` plans without it). Importing this
package loads no heavy library; the knowledge base loads on the first call.
"""

from scarwise.planner.memo import MEMO, Memo
from scarwise.planner.models import Plan, Profile
from scarwise.planner.planning import parse_profile, plan

__all__ = ["MEMO", "Memo", "Plan", "Profile", "parse_profile", "plan"]
