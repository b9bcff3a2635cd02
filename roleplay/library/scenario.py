"""A scenario: what happened, what the agent may know, what the customer hides and when they tell it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from roleplay.acts import Act, QuestionType, Trigger
from roleplay.library.common import LineBank, Slug, StateLevel, Strict, Text

Channel = Literal["online_chat", "phone"]
Phase = Literal["pre_sale", "in_sale", "after_sale"]
CHANNEL_NAMES_ZH: dict[Channel, str] = {"online_chat": "在线客服", "phone": "电话客服"}
PHASE_NAMES_ZH: dict[Phase, str] = {"pre_sale": "售前", "in_sale": "售中", "after_sale": "售后"}


class RevealCondition(Strict):
    """One way a hidden fact can come out. Every field that is set must hold at once."""

    asked_about: list[str] = Field(
        default_factory=list,
        description="keywords (Chinese or English): the agent's message mentions at least one",
    )
    question: QuestionType | Literal["any"] | None = Field(
        default=None, description="the agent's message asks a question of this type (any = any question)"
    )
    act: Trigger | None = Field(default=None, description="the agent's message carries this act")
    trust_at_least: StateLevel | None = None
    openness_at_least: StateLevel | None = None
    emotion_at_most: StateLevel | None = None
    after_agent_turns: int | None = Field(default=None, ge=1, description="from the Nth agent message on")

    @model_validator(mode="after")
    def _not_empty(self) -> RevealCondition:
        fields = (
            self.asked_about,
            self.question,
            self.act,
            self.trust_at_least,
            self.openness_at_least,
            self.emotion_at_most,
            self.after_agent_turns,
        )
        if not any(value not in (None, []) for value in fields):
            raise ValueError("a reveal condition needs at least one field; an empty one would always hold")
        return self


class HiddenFact(Strict):
    """Something the customer knows but tells only when a reveal condition holds."""

    fact_id: Slug
    text: Text = Field(description="the fact, as the customer knows it")
    says: Text | None = Field(
        default=None, description="the customer's own words when telling it (offline mode speaks these)"
    )
    reveal: list[RevealCondition] = Field(
        min_length=1, description="the fact comes out when ANY of these conditions holds"
    )
    giveaway: list[str] = Field(
        default_factory=list,
        description="words that would give the fact away: a model reply holding one before the fact is revealed "
        "is rejected",
    )
    key: bool = Field(default=False, description="the case cannot be solved well without it")


class CardItem(Strict):
    """A piece of policy or product information the agent may use (shown to the student)."""

    title: Text
    body: Text


class SuccessCondition(Strict):
    """When the customer counts the case as resolved (all parts must hold)."""

    description: Text
    requires_acts: list[Act] = Field(default_factory=list, description="acts the agent must have used during the chat")
    requires_facts: list[Slug] = Field(
        default_factory=list, description="hidden facts that must have come out (fact_id)"
    )
    trust_at_least: StateLevel = 6
    emotion_at_most: StateLevel = 4


class FailureCondition(Strict):
    """When the chat is lost."""

    description: Text
    escalate_emotion_at_least: StateLevel = Field(
        default=10, description="emotion at or above this: the customer escalates (complaint, manager)"
    )


class ScenarioFile(Strict):
    """A scenario, ``personas/scenarios/<scenario_id>.yaml``."""

    scenario_id: Slug
    title: Text
    summary: Text = Field(description="one line for lists")
    company: Text
    channel: Channel
    phase: Phase
    product: Text = Field(description="the product or service concerned")
    brief: Text = Field(description="what the student reads before the chat")
    card: list[CardItem] = Field(min_length=1, description="policy and product facts the agent may use")
    customer_goal: Text = Field(description="what the customer wants (hidden from the student)")
    expectation: Text | None = Field(default=None, description="the customer's expectation (期望值)")
    opening: list[Text] = Field(min_length=1, description="the customer's first message; one is picked")
    hidden_facts: list[HiddenFact] = Field(default_factory=list)
    success: SuccessCondition
    failure: FailureCondition
    redlines: list[str] = Field(default_factory=list, description="phrases the agent must never use here")
    lines: LineBank = Field(default_factory=dict, description="scenario-specific customer lines")
    time_limit_minutes: int | None = Field(default=None, ge=1, le=120)
    suggested_personas: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _facts_are_known(self) -> ScenarioFile:
        ids = [fact.fact_id for fact in self.hidden_facts]
        duplicates = sorted({fact_id for fact_id in ids if ids.count(fact_id) > 1})
        if duplicates:
            raise ValueError(f"hidden_facts: fact_id used twice: {', '.join(duplicates)}")
        unknown = [fact_id for fact_id in self.success.requires_facts if fact_id not in ids]
        if unknown:
            raise ValueError(
                f"success.requires_facts names {', '.join(unknown)}, which is not a hidden fact here; "
                f"allowed: {', '.join(ids) or '(no hidden facts defined)'}"
            )
        leaks = self._giveaways_in_view()
        if leaks:
            raise ValueError(
                "the customer model always sees these texts, so a hidden fact's giveaway words must not be in them "
                "(reword the text or pick other giveaway words): " + "; ".join(leaks)
            )
        return self

    def _giveaways_in_view(self) -> list[str]:
        """``hidden_facts[i].giveaway[j] 'word' is in customer_goal`` for each word the model would see."""
        seen: dict[str, list[Text | None]] = {
            "company": [self.company],
            "product": [self.product],
            "summary": [self.summary],
            "customer_goal": [self.customer_goal],
            "expectation": [self.expectation],
            "opening": list(self.opening),
        }
        leaks = []
        for i, fact in enumerate(self.hidden_facts):
            for j, word in enumerate(fact.giveaway):
                needle = word.casefold()
                for name, texts in seen.items():
                    if any(needle in (text.zh + " " + (text.en or "")).casefold() for text in texts if text):
                        leaks.append(f"hidden_facts[{i}].giveaway[{j}] '{word}' is in {name}")
        return leaks
