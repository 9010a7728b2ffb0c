"""What the command line works with: its exit codes, its output formats, and the environment
it writes to (streams, whether stdout is a terminal, the consoles), which tests may replace."""

from __future__ import annotations

import enum
import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


class ExitStatus(enum.IntEnum):
    """What the exit code says."""

    OK = 0  # every graded part is correct (or the files are valid)
    FAILED = 1  # some part is wrong, missing or invalid
    ERROR = 2  # bad input or usage: a file that cannot be read or validated
    BUG = 3  # an internal error in nncheck itself
    INTERRUPTED = 130  # Ctrl-C or SIGTERM (128 + SIGINT, as a shell reports it)
    PIPE_CLOSED = 141  # the reader stopped early (`| head`): 128 + SIGPIPE, as a shell reports it


class Environment:
    """Where the commands write and read: stdout and stderr, whether stdout is a terminal, the
    consoles, and stdin for prompts. Every console is made here; a test may put its own in
    `env` (streams, a terminal it pretends, scripted answers), and a stream left out is
    `sys.stdout` / `sys.stderr` / `sys.stdin` as they are when used.
    """

    def __init__(self, stdout: IO[str] | None = None, stderr: IO[str] | None = None,
                 isatty: bool | None = None, stdin: IO[str] | None = None) -> None:
        self._stdout = stdout
        self._stderr = stderr
        self._isatty = isatty
        self._stdin = stdin

    @property
    def stdin(self) -> IO[str]:
        """The stream a person answers prompts on (`review --interactive`)."""
        return sys.stdin if self._stdin is None else self._stdin

    @property
    def stdout(self) -> IO[str]:
        """The stream that results go to."""
        return sys.stdout if self._stdout is None else self._stdout

    @property
    def stderr(self) -> IO[str]:
        """The stream that errors, notes and the progress bar go to."""
        return sys.stderr if self._stderr is None else self._stderr

    @property
    def isatty(self) -> bool:
        """Whether stdout is a terminal (`--format auto` is rich there, text elsewhere)."""
        return self.stdout.isatty() if self._isatty is None else self._isatty

    def console(self, *, stderr: bool = False, **settings: Any) -> Console:
        """A rich console on stdout (or stderr), with rich's own `settings`."""
        from rich.console import Console

        if not stderr and self._isatty is not None:
            settings.setdefault("force_terminal", self._isatty)
        return Console(file=self._stderr if stderr else self._stdout, stderr=stderr, **settings)


class Format(str, enum.Enum):
    """Output formats."""

    auto = "auto"
    rich = "rich"
    text = "text"
    json = "json"


class Sort(str, enum.Enum):
    """How the class summary orders the parts."""

    bank = "bank"
    difficulty = "difficulty"


class Reveal(str, enum.Enum):
    """How much of the truth a report shows a student."""

    verdict = "verdict"
    mistake = "mistake"
    expected = "expected"
