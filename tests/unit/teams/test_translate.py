"""Teams activities become the engine's events; malformed ones become nothing, never an exception."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.teams.translate import (
    NO_TENANT,
    TENANT_REF_USER_ID,
    command_text,
    references_to_save,
    to_event,
)
from conversations.domain import UserRef
from conversations.events import ButtonClicked, CommandReceived, FormSubmitted, Installed, Where
from tests.unit.teams.activities import (
    TENANT,
    card_submit,
    channel_mention,
    personal_install,
    personal_message,
    team_install,
)

URL = "https://smba.example.test/emea/"


def activity(body: dict[str, Any]) -> Activity:
    return Activity().deserialize(body)


def test_a_typed_command_in_the_personal_chat() -> None:
    event = to_event(activity(personal_message("29:ada", "  pause until 2026-12-24 ", URL, "Ada Lovelace")))
    assert isinstance(event, CommandReceived)
    assert event.actor == UserRef("teams", TENANT, "29:ada")
    assert event.text == "pause until 2026-12-24"
    assert event.where == Where()
    assert event.display_name == "Ada Lovelace"
    assert event.event_id.startswith("teams:1700")


def test_a_channel_mention_loses_the_mention_and_keeps_the_channel() -> None:
    event = to_event(activity(channel_mention("29:ada", "stats", URL)))
    assert isinstance(event, CommandReceived)
    assert event.text == "stats"
    assert event.where == Where(channel_id="19:general@thread.tacv2", is_direct=False)


def test_only_the_bots_mention_is_removed() -> None:
    body = channel_mention("29:ada", "help <at>Grace</at>", URL)
    body["entities"].append({"type": "mention", "text": "<at>Grace</at>", "mentioned": {"id": "29:grace"}})
    assert command_text(activity(body)) == "help Grace"


def test_a_button_click_carries_action_and_value() -> None:
    body = card_submit("29:ada", {"action_id": "checkin_answer", "value": "c1:met"}, URL, reply_to="card-1")
    event = to_event(activity(body))
    assert isinstance(event, ButtonClicked)
    assert (event.action_id, event.value) == ("checkin_answer", "c1:met")


def test_a_form_submit_splits_multiselect_answers() -> None:
    value = {
        "form_id": "join",
        "context": "ctx",
        "multiselect": ["skills", "goals"],
        "skills": "ai,data",
        "goals": "",
        "name": "Ada",
        "level": 3,
    }
    event = to_event(activity(card_submit("29:ada", value, URL)))
    assert isinstance(event, FormSubmitted)
    assert event.form_id == "join" and event.context == "ctx"
    assert event.fields == {"skills": ["ai", "data"], "goals": [], "name": "Ada", "level": "3"}


def test_installs_in_personal_scope_carry_the_reference_and_in_a_team_do_not() -> None:
    personal = to_event(activity(personal_install("29:ada", URL)))
    assert isinstance(personal, Installed)
    assert personal.conversation["serviceUrl"] == URL
    assert personal.conversation["conversation"]["id"] == "a:1-personal-29:ada"  # type: ignore[index]
    team = to_event(activity(team_install("29:ada", URL)))
    assert isinstance(team, Installed) and team.conversation == {}


def test_references_saved_for_the_person_the_channel_and_the_tenant() -> None:
    personal = references_to_save(activity(personal_message("29:ada", "hi", URL)))
    assert [r.user.user_id for r in personal] == [TENANT_REF_USER_ID, "29:ada"]
    assert personal[0].data["serviceUrl"] == URL and personal[0].data["bot"]["id"] == "28:bot-app-id"
    channel = references_to_save(activity(channel_mention("29:ada", "stats", URL)))
    assert [r.user.user_id for r in channel] == [TENANT_REF_USER_ID, "19:general@thread.tacv2"]
    assert channel[1].data["conversation"]["id"] == "19:general@thread.tacv2"


def test_an_activity_without_a_tenant_still_has_a_workspace() -> None:
    body = personal_message("29:ada", "help", URL)
    del body["channelData"]
    del body["conversation"]["tenantId"]
    event = to_event(activity(body))
    assert event is not None and event.actor.workspace_id == NO_TENANT


def test_an_empty_message_is_no_event() -> None:
    assert to_event(activity(personal_message("29:ada", "<at>Mentorbot</at>", URL))) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["message", "conversationUpdate", "installationUpdate", "invoke", "event", "x"]),
    text=st.one_of(st.none(), st.text(max_size=60)),
    value=json_values,
    extra=st.dictionaries(
        st.sampled_from(
            ["entities", "membersAdded", "channelData", "action", "replyToId", "id", "conversation"]
        ),
        json_values,
        max_size=4,
    ),
)
def test_any_activity_translates_without_raising(
    kind: str, text: str | None, value: Any, extra: dict
) -> None:
    body = personal_message("29:ada", "", URL)
    body.update(type=kind, text=text, value=value)
    body.update(extra)
    try:
        parsed = Activity().deserialize(body)
    except Exception:  # noqa: BLE001 - the route answers 400 for what msrest cannot read
        return
    event = to_event(parsed)
    references_to_save(parsed)
    assert event is None or event.actor.user_id == "29:ada"
