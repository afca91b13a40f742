"""Errors a user can cause; the edge turns each into a friendly reply, never a traceback."""

from conversations.i18n import _
from conversations.messages import command


class MentorbotError(Exception):
    """Base for problems the person can fix; the message is shown to them as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotOptedIn(MentorbotError):
    def __init__(self) -> None:
        super().__init__(
            _("You haven't joined the mentoring program yet. Use {join} to opt in.", join=command("join"))
        )


class NotAllowed(MentorbotError):
    pass


class InvalidInput(MentorbotError):
    pass


class FormInvalid(MentorbotError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Please fix the highlighted fields."))
        self.errors = errors


class RoundAlreadyStarted(MentorbotError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "A pairing round was started at the same moment elsewhere; nothing was changed. "
                "Run {pair} again to match anyone left.",
                pair=command("pair"),
            )
        )


class DeliveryError(Exception):
    """Raised by a chat port when a send fails; `permanent` means retrying can never help."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
