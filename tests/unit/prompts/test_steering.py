from conversations.prompts import topic_preferences


def test_net_votes_decide_liked_and_disliked() -> None:
    ratings = [("data", 1), ("data", 1), ("career", -1), ("strategy", 1), ("strategy", -1), ("ai_tools", 1)]
    liked, disliked = topic_preferences(ratings)
    assert liked == ("data", "ai_tools")
    assert disliked == ("career",)


def test_unknown_topics_and_zero_votes_are_ignored() -> None:
    assert topic_preferences([("astrology", 1), ("data", 0)]) == ((), ())
