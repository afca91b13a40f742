"""Why an LLM suggestion failed; the fallback chain treats both the same, the logs do not."""


class LLMUnavailable(Exception):
    """The server did not answer in time, refused (429, 5xx, auth), or the circuit is open."""


class LLMAnswerInvalid(Exception):
    """The server answered, but not with usable prompts (not JSON, wrong shape, empty once cleaned)."""
