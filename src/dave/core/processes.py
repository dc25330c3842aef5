"""Whether a process on this machine is still running: how dave tells a crash from a live peer.

Not a lock: two processes can both see a third as alive; callers pair this with compare-and-set.
"""

from __future__ import annotations

import os
import socket

#: This process, as recorded next to work it owns: "<pid>@<host>".
THIS_PROCESS = f"{os.getpid()}@{socket.gethostname()}"


def pid_alive(pid: int) -> bool:
    """True while a process with this id exists on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def other_live_process(owner: str | None) -> bool:
    """True when `owner` ("<pid>@<host>") is another process still running on this machine.

    A process on another machine cannot be asked, so it counts as gone.
    """
    if not owner or owner == THIS_PROCESS:
        return False
    pid_text, _, host = owner.partition("@")
    return host == socket.gethostname() and pid_text.isdigit() and pid_alive(int(pid_text))
