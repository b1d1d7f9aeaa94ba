#!/usr/bin/env python3
"""No import cycles: in the domain crate, in the supervisor, in the CLI, in the web app.

A node is one source file (a Rust module, a TypeScript module). A Rust file
depends on every module it names, in `use` (lists expanded) and in code, by a
path from `crate::`, `super::`, `self::` or one of its child modules; its
`#[cfg(test)]` module does not count, since tests may use fixtures that use
the code under test. A TypeScript file depends on every relative module it
imports, `import type` and dynamic `import()` included. Prints each graph's size and every
cycle found; exits 1 if there is one.

    python3 tests/imports.py            # from the repository root
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUST_CRATES = ["shared/src", "workers/supervisor/src", "workers/agent-runtime/src", "cli/src"]
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


def rust_graph(src: Path) -> dict[str, set[str]]:
    files = sorted(src.rglob("*.rs"))
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


def ts_graph(src: Path) -> dict[str, set[str]]:
    graph = {}
    for f in sorted(src.glob("*.ts")):
        deps = re.findall(r"""(?:\bfrom|\bimport\(?)\s*["']\./([\w.-]+?)(?:\.[jt]s)?["']""", f.read_text())
        graph[f.stem] = set(deps) - {f.stem}
    return graph


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
    failed = False
    graphs = [(d, rust_graph(ROOT / d)) for d in RUST_CRATES] + [(d, ts_graph(ROOT / d)) for d in TS_APPS]
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
