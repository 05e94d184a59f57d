"""The Docker build context: the files below the repository that .dockerignore lets through.

`python scripts/build_context.py` prints how many files the context holds and their size;
`--list` prints them; `--copy DIR` copies them into DIR, to try the image's build steps
where there is no docker engine. The matching follows Docker's rules: patterns are anchored
at the context root, `*` and `?` stay within one path segment, `**` spans any number of them,
a pattern that matches a directory excludes everything inside it, `!` takes a path back, and
the last matching line wins.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    keep: bool  # a `!pattern` line takes matching paths back into the context
    literal: str  # the part before the first wildcard: where a `!pattern` can reach

    def may_reach_into(self, directory: str) -> bool:
        return self.literal.startswith(directory + "/") or (directory + "/").startswith(self.literal)


def _regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
            out += ".*" if i == len(pattern) else "(.*/)?"
            continue
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out += re.escape(char)
            else:
                members = pattern[i + 1 : end]
                out += "[" + ("^" + members[1:] if members.startswith("!") else members).replace("\\", "\\\\") + "]"
                i = end
        else:
            out += re.escape(char)
        i += 1
    return re.compile(out + r"\Z")


def read_patterns(dockerignore: Path) -> list[Pattern]:
    patterns = []
    for raw in dockerignore.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        line = os.path.normpath(line[1:].strip() if keep else line).lstrip("/")
        literal = re.split(r"[*?\[]", line, maxsplit=1)[0]
        patterns.append(Pattern(_regex(line), keep, literal))
    return patterns


class Context:
    """Which paths (relative, with /) `docker build` sends from root."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = root
        ignore = root / ".dockerignore"
        self.patterns = read_patterns(ignore) if ignore.exists() else []

    def excluded(self, path: str) -> bool:
        """Whether the file or directory at this relative path stays out of the context."""
        parts = PurePosixPath(path).parts
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        result = False
        for pattern in self.patterns:
            if any(pattern.regex.match(prefix) for prefix in prefixes):
                result = not pattern.keep
        return result

    def files(self) -> Iterator[Path]:
        """Every file of the context, walking the tree as it is on disk (not only what git tracks)."""
        keeps = [pattern for pattern in self.patterns if pattern.keep]
        for directory, subdirs, names in os.walk(self.root):
            here = Path(directory)
            relative = here.relative_to(self.root).as_posix()
            prefix = "" if relative == "." else relative + "/"
            # An excluded directory is skipped whole unless a `!pattern` may take something inside it back.
            subdirs[:] = [
                name
                for name in subdirs
                if not self.excluded(prefix + name) or any(keep.may_reach_into(prefix + name) for keep in keeps)
            ]
            subdirs.sort()
            for name in sorted(names):
                if not self.excluded(prefix + name):
                    yield here / name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every file of the context")
    parser.add_argument("--copy", type=Path, metavar="DIR", help="copy the context into DIR")
    args = parser.parse_args()
    context = Context()
    count = size = 0
    for path in context.files():
        relative = path.relative_to(context.root)
        if args.list:
            print(relative)
        if args.copy:
            target = args.copy / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target, follow_symlinks=False)
        count += 1
        size += path.lstat().st_size
    print(f"{count} files, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
