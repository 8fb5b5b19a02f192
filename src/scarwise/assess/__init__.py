"""Guided self-assessment: plain-language questions -> a profile and the scores they allow.

Public functions (other packages and the web app call exactly these):

* ``assess(answers) -> Assessment`` - pure: answers (dict or :class:`Answers`) to the
  ``assessment/1`` object holding ``profile`` (a :class:`scarwise.Profile`), ``scores``
  (``fitzpatrick``, ``ecca`` and, when the answers allow, ``gb-qualitative``) and ``notes``.
* ``parse_answers(data) -> Answers`` - validate an answers mapping (InvalidInput lists every problem).
* ``load_questions() -> tuple[Section, ...]`` - the question definitions, in order.
* ``should_ask(ask_if, ask_if_any, answers)`` - whether a question applies given earlier answers.
* ``applies(question, answers)`` - the same for a question, with every condition it names.
* ``demo_answers_path() -> Path`` - the bundled answers file ``scarwise demo`` uses.
"""

from scarwise.assess.models import Answers, Assessment, Question, Section
from scarwise.assess.questionnaire import assess, parse_answers
from scarwise.assess.questions import applies, demo_answers_path, load_questions, should_ask

__all__ = [
    "Answers",
    "Assessment",
    "Question",
    "Section",
    "applies",
    "assess",
    "demo_answers_path",
    "load_questions",
    "parse_answers",
    "should_ask",
]
