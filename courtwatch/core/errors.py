"""The one exception type for problems a user can fix.

The CLI prints its message on one line and exits non-zero; the dashboard
shows it with st.error. Anything else escaping is a bug and keeps its traceback.
"""


class UserError(Exception):
    """A problem the user can fix; the message says what happened and what to do."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
