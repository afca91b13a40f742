"""The lists of what each AI feature may send are the lists of what it sends."""

from __future__ import annotations

import json
from dataclasses import fields, replace

from adapters.llm.request import build_messages, pair_data
from conversations.domain import Participant, Role, UserRef
from conversations.privacy import DISCUSSION_PROMPTS, MEANING_MATCHING, SENT_TO_MODELS, texts_for
from tests.unit.prompts.contexts import data_minded_pair


def test_the_prompt_request_holds_only_the_fields_on_its_list() -> None:
    context = replace(
        data_minded_pair(),
        goal_progress=(("leader", "Read dashboards", 40, False),),
        recent_outcomes=("met",),
        language="French",
        liked_topics=("ai_tools",),
        disliked_topics=("career",),
        recent_prompts=("Mentor: show one dashboard.",),
    )
    data = pair_data(context)
    person_fields = set(data.pop("leader")) | set(data.pop("mentor"))
    allowed = set(SENT_TO_MODELS[DISCUSSION_PROMPTS])
    assert person_fields | set(data) == allowed - {"language"}
    system, user = build_messages(context)
    assert "French" in str(system["content"]) and context.pairing_id not in json.dumps([system, user])


def test_the_embeddings_feature_reads_only_the_participant_fields_on_its_list() -> None:
    assert set(SENT_TO_MODELS[MEANING_MATCHING]) <= {f.name for f in fields(Participant)}
    person = Participant(
        UserRef("slack", "T1", "U1"), "Secret Name", Role.LEADER, "Secret Department", 5, "Asia/Kolkata",
        skills=("SQL",), learning_goals=("Python scripting",), manager_id="UBOSS", language="fr",
    )  # fmt: skip
    assert texts_for(MEANING_MATCHING, person) == ("SQL", "Python scripting")
