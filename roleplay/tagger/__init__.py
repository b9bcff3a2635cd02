"""The skill tagger: which of the course's techniques one agent utterance uses, and why.

Deterministic and fast (no model): question types, restatement of facts and feelings, and the
service acts the personas and rubrics react to. Every label keeps the verbatim span that triggered
it and the name of the rule that fired.

Example:
    >>> result = tag("我理解您很着急，您是3号下的单，对吗？", [ContextTurn(role="customer", text="我3号下的单到现在还没到")])
    >>> sorted(result.labels)
    ['question_closed', 'restate_fact', 'restate_feeling']
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from importlib import resources

from roleplay.acts import TaggedAct, question_act
from roleplay.tagger.questions import check_back, find_questions
from roleplay.tagger.restate import WEAK_EN_FACT_RULES, advises, merge, restates_fact, restates_feeling, units
from roleplay.tagger.result import ContextTurn, Predicted, PredictedAct, TagResult
from roleplay.tagger.service import service_acts
from roleplay.tagger.text import MAX_CHARS, acknowledgement_only, is_chinese, sentences

__all__ = ["TAGGER_VERSION", "ContextTurn", "Predicted", "PredictedAct", "TagResult", "acknowledgement_only", "tag"]


def _version() -> str:
    digest = hashlib.sha256()
    package = resources.files("roleplay.tagger")
    for name in ("__init__.py", "text.py", "questions.py", "restate.py", "service.py", "redlines.yaml"):
        digest.update(package.joinpath(name).read_bytes())
    return "tagger-" + digest.hexdigest()[:10]


TAGGER_VERSION = _version()
"""Changes whenever a rule or the built-in red lines change; stamped on every report."""


def tag(text: str, context: Sequence[ContextTurn] = (), *, extra_redlines: Iterable[str] = ()) -> TagResult:
    """Label one agent utterance.

    Args:
        text: what the agent (student) wrote; only the first ``MAX_CHARS`` characters are read.
        context: earlier turns, oldest first; restating a fact needs the customer's own words here.
        extra_redlines: the scenario's and rubric's forbidden phrases, added to the built-in ones.

    Returns:
        Every act found, ordered by where it starts, each with its span and rule.
    """
    body = text[:MAX_CHARS]
    customer = merge(units(turn.text[:MAX_CHARS]) for turn in context if turn.role == "customer")
    latest = next((turn.text for turn in reversed(context) if turn.role == "customer"), None)
    last = units(latest[:MAX_CHARS]) if latest is not None else None
    directive = not is_chinese(body) and advises(body)
    acts: list[TaggedAct] = []
    for sentence in sentences(body):
        chinese = is_chinese(sentence.text)
        questions = find_questions(sentence, customer)
        for question in questions:
            act = question_act(question.qtype)
            acts.append(TaggedAct(act=act, span=question.span.text, rule=question.rule, start=question.span.start))
        echo_question = check_back(sentence)
        fact_rule = restates_fact(sentence, chinese, customer, bool(questions), last, check_back=echo_question)
        if fact_rule and not (directive and fact_rule in WEAK_EN_FACT_RULES):
            acts.append(TaggedAct(act="restate_fact", span=sentence.text, rule=fact_rule, start=sentence.start))
        feeling = restates_feeling(sentence, chinese, bool(questions), check_back=echo_question)
        if feeling:
            rule, words = feeling
            start = sentence.start + sentence.text.find(words)
            acts.append(TaggedAct(act="restate_feeling", span=words, rule=rule, start=start))
    for hit in service_acts(body, extra_redlines):
        acts.append(TaggedAct(act=hit.act, span=hit.span, rule=hit.rule, start=hit.start))
    unique = {(a.act, a.start, a.span): a for a in acts}
    return TagResult(text=text, acts=sorted(unique.values(), key=lambda a: (a.start or 0, a.act)))
