#!/usr/bin/env python3
"""No import cycles, between files and between folders: in every crate of
the product (the domain crate, the importers, the local Gemini server, the
agent runtime and every Worker of fleet.toml), in the CLI and in the web app.

A node is one source file (a Rust module, a TypeScript module). A Rust file
depends on every module it names, in `use` (lists expanded) and in code, by a
path from `crate::`, `super::`, `self::` or one of its child modules; its
`#[cfg(test)]` module does not count, since tests may use fixtures that use
the code under test. A TypeScript file depends on every relative module it
imports, `import type` and dynamic `import()` included.

Then the same graph one folder at a time: in each folder, each of its files
is a node and each of its subfolders is one node (every module inside it,
at any depth; `sql.rs` and `sql/` are the module `sql`), and a file's import
is an edge between the nodes that hold the two ends. So `agent/` importing
`check/`, which imports `run/`, which imports `agent/` is a cycle although no
two files import each other. A folder's own `mod.rs` is not a node of its
folder's graph (it declares the others). A crate with a `lib.rs` is checked
from it; its `main.rs` and `bin/` are other crates that use it by name.
Prints each graph's size and every cycle found; exits 1 if there is one.

    python3 tests/imports.py            # from the repository root
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The Workers' crates come from the fleet's manifest (fleet.toml).
with open(ROOT / "fleet.toml", "rb") as manifest:
    WORKERS = [w["path"] + "/src" for w in tomllib.load(manifest)["worker"]]
RUST_CRATES = ["shared/src", "import/src", "tools/gemini-local/src", "workers/agent-runtime/src", "cli/src"] + WORKERS
TS_APPS = ["frontend/src"]


def rust_module(src: Path, file: Path) -> tuple[str, ...]:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("lib", "main", "mod"):
        parts.pop()
    return tuple(parts)


def strip_tests(text: str) -> str:
    """The file without its `#[cfg(test)]` (or `#[cfg(all(test, …))]`) `mod … { … }` blocks."""
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\((?:all\()?test\b[^\]]*\]\s*(pub(\(crate\))?\s+)?mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        depth, j = 1, m.end()
        while depth and j < len(text):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def expand(tree: str) -> list[str]:
    """`a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`."""
    tree = re.sub(r"\s+", "", tree)
    brace = tree.find("{")
    if brace < 0:
        return [tree]
    prefix, inner = tree[:brace], tree[brace + 1 : tree.rindex("}")]
    items, depth, start = [], 0, 0
    for k, ch in enumerate(inner):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            items.append(inner[start:k])
            start = k + 1
    items.append(inner[start:])
    return [p for item in items if item for p in expand(prefix + item)]


def test_module_files(files: list[Path]) -> set[Path]:
    """The files of modules declared `#[cfg(test)] mod name;`: tests, like
    the inline `#[cfg(test)] mod … { … }` blocks `strip_tests` drops."""
    out = set()
    for f in files:
        here = f.parent if f.stem in ("lib", "main", "mod") else f.parent / f.stem
        for name in re.findall(r"#\[cfg\(test\)\]\s*(?:pub(?:\(crate\))?\s+)?mod\s+(\w+)\s*;", f.read_text()):
            out |= {here / f"{name}.rs", here / name / "mod.rs"}
    return out


def rust_files(src: Path) -> list[Path]:
    files = sorted(src.rglob("*.rs"))
    if (src / "lib.rs").exists():
        files = [f for f in files if f != src / "main.rs" and f.relative_to(src).parts[0] != "bin"]
    tests = test_module_files(files)
    return [f for f in files if f not in tests]


def rust_graph(src: Path) -> dict[str, set[str]]:
    files = rust_files(src)
    modules = {rust_module(src, f): f for f in files}
    graph: dict[str, set[str]] = {}
    for f in files:
        me = rust_module(src, f)
        text = re.sub(r"//[^\n]*", "", strip_tests(f.read_text()))
        paths = []
        for use in re.findall(r"\buse\s+([^;]+);", text):
            paths += expand(use)
        paths += re.findall(r"(?<![\w:])(\w+(?:::\w+)+)", text)
        deps = set()
        for path in paths:
            parts = [p for p in path.split("::") if p]
            if parts[0] == "crate":
                parts = parts[1:]
            elif parts[0] in ("super", "self"):
                base = list(me)
                while parts and parts[0] in ("super", "self"):
                    if parts.pop(0) == "super":
                        base.pop()
                parts = base + parts
            elif me + (parts[0],) in modules:
                parts = list(me) + parts
            else:
                continue  # another crate's path
            # The longest prefix that is a module is the file depended on.
            target = next(tuple(parts[:n]) for n in range(len(parts), -1, -1) if tuple(parts[:n]) in modules)
            # A file naming its own ancestor's items is part of that
            # ancestor (`mod.rs` declares its children): not an edge, so a
            # cycle through a parent module is not counted.
            if me[: len(target)] != target:
                deps.add("::".join(target) or "crate")
        graph["::".join(me) or "crate"] = deps
    return graph


def folder_graphs(graph: dict[str, set[str]], sep: str) -> dict[str, dict[str, set[str]]]:
    """The graph of each folder: its files and subfolders as nodes.

    `graph`'s nodes are module paths (`a::b::c`, the crate root `crate`);
    a module whose path another module's path extends is a folder (or a
    file with a folder of children, as `sql.rs` with `sql/`)."""
    path = {v: () if v == "crate" else tuple(v.split(sep)) for v in graph}
    folders = {p[:n] for p in path.values() for n in range(len(p))}
    out: dict[str, dict[str, set[str]]] = {}
    for folder in sorted(folders):
        depth = len(folder)
        inside = [v for v, p in path.items() if p[:depth] == folder and len(p) > depth]
        nodes: dict[str, set[str]] = {}
        for v in inside:
            node = path[v][depth]
            nodes.setdefault(node, set())
            for w in graph[v]:
                p = path[w]
                if p[:depth] == folder and len(p) > depth and p[depth] != node:
                    nodes[node].add(p[depth])
        # A folder without subfolders has the graph of its files, already checked.
        if any(len(path[v]) > depth + 1 for v in inside):
            out[sep.join(folder) or "crate"] = nodes
    return out


def folder_label(src: str, folder: str, sep: str) -> str:
    inside = "" if folder == "crate" else folder.replace(sep, "/") + "/"
    return f"{src}/{inside} (each subfolder one node)"


def ts_graph(src: Path) -> dict[str, set[str]]:
    """Each module by its path under `src` without extension (`views/list`),
    the crate-root name `crate` for none; imports resolved from the file's folder."""
    graph = {}
    for f in sorted(src.rglob("*.ts")):
        me = f.relative_to(src).with_suffix("").as_posix()
        deps = set()
        for spec in re.findall(r"""(?:\bfrom|\bimport\(?)\s*["'](\.{1,2}/[\w./-]+?)(?:\.[jt]s)?["']""", f.read_text()):
            target = (f.parent / spec).resolve()
            if target.is_relative_to(src.resolve()):
                deps.add(target.relative_to(src.resolve()).as_posix())
        graph[me] = deps - {me}
    return {me: deps & set(graph) for me, deps in graph.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected component of more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]], "the cycle finder finds cycles"
    # Three folders whose files import one way each, in a ring: no file cycle, a folder cycle.
    ring = {"a::x": {"b::y"}, "b::y": {"c::z"}, "c::z": {"a::w"}, "a::w": set(), "crate": {"a::x"}}
    assert cycles(ring) == [] and cycles(folder_graphs(ring, "::")["crate"]) == [["a", "b", "c"]], "folders are nodes"
    failed = False
    graphs = []
    for d in RUST_CRATES:
        files = rust_graph(ROOT / d)
        graphs.append((d, files))
        graphs += [(folder_label(d, f, "::"), g) for f, g in folder_graphs(files, "::").items() if len(g) > 1]
    for d in TS_APPS:
        files = ts_graph(ROOT / d)
        graphs.append((d, files))
        graphs += [(folder_label(d, f, "/"), g) for f, g in folder_graphs(files, "/").items() if len(g) > 1]
    for name, graph in graphs:
        edges = sum(len(v) for v in graph.values())
        found = cycles(graph)
        print(f"{name}: {len(graph)} modules, {edges} imports, {len(found)} cycles")
        for component in found:
            failed = True
            print("  cycle among: " + ", ".join(component))
            for v in component:
                print(f"    {v} -> {', '.join(sorted(graph[v] & set(component)))}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
