#!/usr/bin/env python3
"""docs/ARCHITECTURE.md's module trees are the code's.

The document draws each source folder of the product as a tree in a fenced
block that starts with the folder (`shared/src/`):

    shared/src/
      lib.rs api.rs stage.rs            files of the folder itself
      agent/   generate prompt retry    # a subfolder and its modules
      render/  sql contract/            # `contract/` a module folder (mod.rs)
      render/contract/  harness         # a subfolder's own line, if it has files

Words after `#` describe and are not read. A subfolder's `mod.rs` is implied.
A Rust folder lists its `.rs` files, the web app its `.ts` files; other files
(CSS, an embedded TypeScript fixture) are not modules. Every crate the import
check covers (tests/imports.py: the domain crate, the importers, the local
Gemini server, the agent runtime, every Worker of fleet.toml) and the web app
must have its tree when it has more than one source file, and every tree must
name exactly the files and folders on disk: a module added, moved or removed
without the document fails here, as a route does against openapi.json.

    python3 tests/architecture.py       # from the repository root
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from imports import ROOT, RUST_CRATES, TS_APPS  # noqa: E402

DOC = ROOT / "docs" / "ARCHITECTURE.md"


def trees(text: str) -> dict[str, list[str]]:
    """Each fenced block whose first line is a source folder: its lines."""
    out = {}
    for block in re.findall(r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```", text, re.S | re.M):
        lines = block.rstrip("\n").split("\n")
        if re.fullmatch(r"[\w./-]+/src/", lines[0].strip()):
            folder = lines[0].strip().rstrip("/")
            if folder in out:
                raise SystemExit(f"{DOC.name}: {folder}/ is drawn twice")
            out[folder] = lines[1:]
    return out


def documented(lines: list[str], ext: str) -> tuple[set[str], set[str]]:
    """The files (`agent/generate.rs`) and folders (`agent`) a tree names."""
    files, folders = set(), set()
    for line in lines:
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        here = ""
        if words[0].endswith("/"):
            here = words.pop(0).rstrip("/")
            folders.add(here)
        for w in words:
            path = f"{here}/{w}" if here else w
            if w.endswith("/"):
                folders.add(path.rstrip("/"))
            elif here:
                files.add(f"{path}{ext}")
            else:
                if not w.endswith(ext):
                    raise SystemExit(f"{DOC.name}: {w!r} in a folder's own line has no {ext}")
                files.add(path)
    return files, folders


def on_disk(src: Path, ext: str) -> tuple[set[str], set[str]]:
    files = {f.relative_to(src).as_posix() for f in src.rglob(f"*{ext}")}
    folders = {Path(f).parent.as_posix() for f in files} - {"."}
    folders |= {p.as_posix() for f in folders for p in Path(f).parents if p.as_posix() != "."}
    return {f for f in files if Path(f).name != "mod.rs"}, folders


def compare(name: str, doc: set[str], disk: set[str], what: str) -> list[str]:
    out = [f"{name}: {what} {x} is in the code but not in {DOC.name}" for x in sorted(disk - doc)]
    return out + [f"{name}: {what} {x} is in {DOC.name} but not in the code" for x in sorted(doc - disk)]


def main() -> int:
    drawn = trees(DOC.read_text())
    sources = [(d, ".rs") for d in RUST_CRATES] + [(d, ".ts") for d in TS_APPS]
    problems = []
    for d, ext in sources:
        disk_files, disk_folders = on_disk(ROOT / d, ext)
        if d not in drawn:
            if len(disk_files) > 1:
                problems.append(f"{d}/ has {len(disk_files)} source files and no tree in {DOC.name}")
            continue
        files, folders = documented(drawn.pop(d), ext)
        problems += compare(d, files, disk_files, "file")
        problems += compare(d, folders, disk_folders, "folder")
        print(f"{d}/: {len(disk_files)} files in {len(disk_folders)} folders, as drawn")
    problems += [f"{DOC.name} draws {d}/, which no check covers (tests/imports.py)" for d in drawn]
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
