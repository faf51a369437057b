"""The architecture as tests: the engine is a hierarchy of tiers (folders), and a layer kind lives in one place.

* no module of symcnn imports, even inside a function, one that imports it back;
* each tier imports only the tiers below it (``TIERS``); imports for type checking
  only (``if TYPE_CHECKING:``) are not run-time dependencies and are left out;
* no module outside ``symcnn/layers/`` picks a behaviour by comparing a layer's
  ``kind`` with a kind name: analyses ask the layer.
"""

from __future__ import annotations

import ast
import subprocess
import sys
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
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
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


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (imports made for the type checker only)."""
    found: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


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
    assert "symcnn.exact.rules" in graph["symcnn.layers.conv"]  # the graph sees `from ..exact import rules`
    assert "symcnn.analysis.receptive" in graph["symcnn.derivation.derivation"]  # function-level imports count
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


# Bottom up; a module may import its own tier and those before it.  Applications sit on top.
TIERS = [
    ("errors", "files", "lazy"),  # files.py: the atomic writer, on errors alone; lazy.py: first-use imports
    ("exact",),
    ("layers",),
    ("analysis", "render"),
    ("derivation",),
    ("model",),
    ("caches", "__init__", "zoo", "whatif", "exam", "paper", "adapters", "cli", "__main__"),
]


def _tier(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    for level, names in enumerate(TIERS):
        if top in names:
            return level
    raise AssertionError(f"{module} is in no tier: add its folder to TIERS")


def test_every_tier_imports_only_the_tiers_below_it() -> None:
    upward = [
        f"{module} -> {target}"
        for module, targets in _imports().items()
        for target in targets
        if _tier(target) > _tier(module)
    ]
    assert not upward, "imports that reach up a tier:\n" + "\n".join(sorted(upward))


def test_a_type_checking_import_is_not_a_dependency() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import b\nimport c\n")
    imported = [alias.name for node in _runtime_nodes(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert imported == ["c"]


def _kind_names() -> set[str]:
    from symcnn.layers import LAYERS

    names = set(LAYERS)
    for cls in LAYERS.values():
        names.add(cls.kind)
        names.add(cls.prefix)
    return names - {"input"}  # the input row is not a layer kind


def _dispatch_on_kind(tree: ast.AST, kinds: set[str]) -> list[int]:
    """Lines comparing something's ``kind`` with a kind name (``==``, ``in``, ``startswith``)."""

    def mentions_kind(node: ast.AST) -> bool:
        return any(
            isinstance(item, ast.Attribute | ast.Name) and getattr(item, "attr", getattr(item, "id", "")) == "kind"
            for item in ast.walk(node)
        )

    def literals(node: ast.AST) -> set[str]:
        return {item.value for item in ast.walk(node) if isinstance(item, ast.Constant) and isinstance(item.value, str)}

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and mentions_kind(node) and any(
            literal in kinds or any(literal and name.startswith(literal) for name in kinds)
            for comparator in node.comparators
            for literal in literals(comparator)
        ):
            lines.append(node.lineno)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "startswith"
            and mentions_kind(node.func.value)
        ):
            lines.append(node.lineno)
    return lines


def test_no_module_outside_layers_dispatches_on_a_kind_name() -> None:
    kinds = _kind_names()
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.relative_to(ROOT).parts[0] == "layers":
            continue
        for line in _dispatch_on_kind(ast.parse(path.read_text(encoding="utf-8")), kinds):
            found.append(f"{path.relative_to(ROOT.parent)}:{line}")
    assert not found, "ask the layer instead of matching its kind name:\n" + "\n".join(found)


def test_the_kind_name_check_finds_a_planted_table() -> None:
    tree = ast.parse("if row.kind.startswith(('conv1d', 'maxpool')):\n    pass\nok = row.kind == 'input'\n")
    assert _dispatch_on_kind(tree, {"conv1d", "maxpool2d"}) == [1]
    assert _dispatch_on_kind(ast.parse("x = layer.kind in MERGES or kind == 'add'"), {"add"}) == [1]


def _loaded_by(code: str) -> set[str]:
    """The modules ``code`` imports in a fresh interpreter, as ``python -X importtime`` lists them."""
    code += "\nimport sys; print(*sys.modules)"
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True, cwd=ROOT.parent
    )
    lines = [line for line in probe.stderr.splitlines() if line.startswith("import time:")]
    listed = {line.rpartition("|")[2].strip() for line in lines[1:]}  # the first line is the header
    # importtime lists what goes through the import statement: symcnn's lazy loaders must, too.
    ours = {name for name in probe.stdout.split() if name.partition(".")[0] == "symcnn"}
    assert {name for name in listed if name.partition(".")[0] == "symcnn"} == ours
    return listed


APPLICATIONS = {"exam", "paper", "whatif", "zoo", "cli", "adapters"}
EXTRAS = {"torch", "numpy", "matplotlib", "latexify", "onnx", "keras", "pandas", "yaml"}


def _parts(loaded: set[str], package: str) -> set[str]:
    """The submodules of ``package`` among ``loaded``: ``{"conv", "pool"}`` for ``symcnn.layers``."""
    return {name.removeprefix(package + ".").split(".")[0] for name in loaded if name.startswith(package + ".")}


def test_import_symcnn_loads_the_engine_only() -> None:
    """``import symcnn`` costs SymPy and what a first derivation needs: all else loads on first use (issue 21)."""
    from symcnn.layers import MODULES

    loaded = _loaded_by("import symcnn")
    assert {"sympy", "symcnn.layers.base", "symcnn.model.network"} <= loaded  # the probe sees what loads
    assert sorted(_parts(loaded, "symcnn") & APPLICATIONS) == []
    assert sorted(loaded & EXTRAS) == []
    assert sorted(_parts(loaded, "symcnn.layers") & set(MODULES)) == []  # no layer kind is defined yet
    assert {"render", "analysis"} & _parts(loaded, "symcnn") == set()
    assert {"spec", "yaml_spec"} & _parts(loaded, "symcnn.model") == set()
    assert "symcnn.exact.formula" not in loaded  # the formula parser loads with a first formula


def test_a_first_derivation_loads_the_modules_of_its_layers_only() -> None:
    """What ``symcnn derive`` does without a file: the MNIST example, printed as text."""
    from symcnn.layers import MODULES

    code = "import symcnn; from symcnn.model.examples import MNIST; symcnn.load_spec(MNIST).derive().to_text()"
    loaded = _loaded_by(code)
    assert _parts(loaded, "symcnn.layers") & set(MODULES) == {"conv", "pool", "dense"}  # Flatten is in dense
    assert _parts(loaded, "symcnn.render") == {"common", "escape", "extras", "text"}
    assert "analysis" not in _parts(loaded, "symcnn") and sorted(loaded & EXTRAS) == []
