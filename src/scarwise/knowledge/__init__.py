"""The knowledge base: treatments, references, rules, scar types and prevention, as cited data.

Everything clinical lives in ``data/*.yaml`` and is loaded strictly into the models of
:mod:`scarwise.knowledge.models`; every page and plan that explains a scar type or treatment draws
on this one source. The vocabularies (``TREATMENT_IDS``, ``TARGETS``) are in
:mod:`scarwise.knowledge.vocabulary`.
"""

from scarwise.knowledge.loader import default_data_dir, load_knowledge_base
from scarwise.knowledge.models import KnowledgeBase, Reference, Rule, ScarType, Treatment

__all__ = [
    "KnowledgeBase",
    "Reference",
    "Rule",
    "ScarType",
    "Treatment",
    "default_data_dir",
    "load_knowledge_base",
]
