"""The one error type the CLI turns into a clear line (no traceback)."""


class ReviewerError(RuntimeError):
    """A problem the user can act on; the message names the file or setting and what to do."""


def user_errors() -> tuple[type[BaseException], ...]:
    """Exception types whose message is shown to the user as is."""
    return (ReviewerError,)
