"""The knowledge base: treatments, references, rules, scar types and prevention, as cited data.

Everything clinical lives in ``data/*.yaml`` and is loaded strictly into the models of
:mod:`scarwise.knowledge.models`; every page and plan that explains a scar type or treatment draws
on this one source.
"""

from scarwise.knowledge.loader import DATA_FILES, default_data_dir, load_knowledge_base
from scarwise.knowledge.models import KnowledgeBase, Reference, Rule, ScarType, Treatment
from scarwise.knowledge.vocabulary import TARGETS, TREATMENT_IDS

__all__ = [
    "DATA_FILES",
    "TARGETS",
    "TREATMENT_IDS",
    "KnowledgeBase",
    "Reference",
    "Rule",
    "ScarType",
    "Treatment",
    "default_data_dir",
    "load_knowledge_base",
]
