"""The engine is a hierarchy: no module of symcnn imports, even inside a function, one that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

import symcnn

ROOT = Path(symcnn.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every symcnn module -> the symcnn modules it imports anywhere in its source."""
    modules = {_module_name(path): path for path in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:  # `from . import rules` imports the module symcnn.rules
                    found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            # A package's __init__ gathering its own submodules is not a circle.
            if target.startswith(node + "."):
                continue
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_import_graph_finds_a_planted_circle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = _imports()
    assert "symcnn.adapters.torch.importer" in graph["symcnn.adapters.torch"]  # the adapter is included
    assert "symcnn.rules" in graph["symcnn.layers.conv"]  # the graph sees `from .. import rules`
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_import_symcnn_imports_no_framework() -> None:
    """The adapters load torch, onnx and keras only when used (symcnn.from_torch/from_onnx/from_keras)."""
    import subprocess
    import sys

    code = (
        "import sys, symcnn; symcnn.Conv2d; "
        "print(sorted(m for m in ('torch', 'onnx', 'onnxruntime', 'keras', 'matplotlib') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
