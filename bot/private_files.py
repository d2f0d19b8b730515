"""Files only the service's own user may read: the database, keys, citizens' photos.

Folders are created 0700 and files 0600 from the start (``os.open`` with the mode, not a
``chmod`` after writing), whatever the process umask, so there is no moment in which another
local user can read them. Existing files are tightened when they are opened; an existing
folder only when asked (the data folder), and never one that is shared (sticky, like
``/tmp``) or owned by someone else.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | Path, *, tighten: bool = False) -> Path:
    """Create ``path`` (and missing parents) as 0700; with ``tighten``, also an existing one."""
    folder = Path(path).expanduser()
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for new in reversed(missing):
        new.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(new, DIR_MODE)  # mkdir's mode is filtered by the umask
    if tighten and not missing and folder.is_dir():
        info = folder.stat()
        if info.st_mode & 0o077 and not info.st_mode & 0o1000 and info.st_uid == os.getuid():
            os.chmod(folder, DIR_MODE)
    return folder


def touch_private(path: str | Path) -> Path:
    """Create ``path`` empty as 0600 if missing (its folder 0700); tighten it if it exists."""
    target = Path(path).expanduser()
    private_dir(target.parent)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    if target.stat().st_mode & 0o077:
        os.chmod(target, FILE_MODE)
    return target


def write_private(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` as a 0600 file (replacing it atomically)."""
    target = Path(path).expanduser()
    private_dir(target.parent)
    partial = target.with_name(f".{target.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.chmod(partial, FILE_MODE)
    os.replace(partial, target)
    return target
