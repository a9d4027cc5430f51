"""Start a measured child process the way every benchmark here does: in its own process session (its own
scheduler autogroup) with that group's priority raised, so that other load on a shared machine does not
dominate the figures. Where raising it is not allowed (not root, no autogroups), the child runs at normal
priority and `raised()` says so."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

AUTOGROUP = Path("/proc/self/autogroup")
NICE = -15


def _own_session() -> None:  # (runs in the child, between fork and exec)
    os.setsid()
    try:
        AUTOGROUP.write_text(str(NICE))
    except OSError:
        pass


def popen(argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """`subprocess.Popen(argv, **kwargs)` in a new session whose autogroup runs at nice −15."""
    return subprocess.Popen(argv, preexec_fn=_own_session if os.name == "posix" else None, **kwargs)


def raised() -> bool:
    """Whether children started by `popen` get the raised priority on this machine."""
    if os.name != "posix" or not AUTOGROUP.exists():
        return False
    probe = popen(["cat", str(AUTOGROUP)], stdout=subprocess.PIPE)
    out = probe.communicate()[0].decode()
    return out.rstrip().endswith(f"nice {NICE}")
