"""No user string ever runs as code: a canary walk of the public API, and a lint of ``sympify``.

Every public function and result method that can receive text is called with code
payloads in each text-accepting argument (alone, in a list, as a mapping value,
and hidden in an object whose ``str()`` is the payload, which ``sympify``'s
fallback would evaluate).  A payload that ran would create the file ``CANARY`` in
the working directory.  Each call must either finish (the text was taken as data,
e.g. a name) or raise a ``SymcnnError``; it never creates the file.

The walk knows every public callable: a new one fails the walk until it is given
sample arguments below, so it cannot be forgotten.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sympy

import symcnn
from symcnn import Conv2d, Input, ReLU, Sequential, SymcnnError

PAYLOADS = (
    "__import__('os').system('touch CANARY')",
    "__import__('pathlib').Path('CANARY').touch()",
    "(lambda: __import__('os').system('touch CANARY'))()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
)
MODULES = ("symcnn", "symcnn.whatif", "symcnn.exam", "symcnn.paper", "symcnn.zoo")


class Sneaky:
    """Not a string, but ``sympify`` without ``strict`` would parse (and evaluate) its ``str()``."""

    def __str__(self) -> str:
        return PAYLOADS[0]


def _network() -> symcnn.Network:
    return Sequential(Input(3, "H", "W"), Conv2d(out_channels="k", kernel_size=3, padding=1), ReLU())


def _samples(tmp: Path) -> dict[str, Any]:
    """A valid value for every parameter name a public callable takes."""
    from symcnn.exam import generate
    from symcnn.paper import Options

    derivation = _network().derive()
    exam = generate(1, seed=1, kinds=["layer_params"])
    k = sympy.Symbol("k", integer=True, positive=True)
    return {
        "names": "k", "kind": "conv2d", "network": _network(), "input_shape": None, "conventions": None,
        "assume": None, "source": {"input": [1, 8, 8], "layers": [{"type": "relu"}]},
        "derivation": derivation, "symbol_name": "H", "values": {"H": 8}, "limit": 100,
        "a": derivation, "b": derivation, "quantities": ["params"], "at": {"k": 2, "H": 8, "W": 8},
        "expr": k + 1, "relation": k > 1, "compiler": None, "text": "k=1..4",
        "derivations": derivation, "x": "k", "y": "params", "output": str(tmp / "plot.png"), "fixed": None,
        "name": "params", "of": "params", "wrt": "k", "bound": "params <= 1000", "largest": "k",
        "smallest": None, "axes": {"k": "1..3", "H": "8", "W": "8"}, "random": None, "seed": 0,
        "max_configurations": 1000, "exam": exam, "fmt": "json", "count": 1, "difficulty": "easy",
        "kinds": ["layer_params"], "question": {"grading": "numerical", "answer": "5"}, "response": "1",
        "options": Options(), "networks": {"net": derivation}, "directory": str(tmp / "paper"),
        "value": sympy.Integer(5), "style": "comma", "by": (), "sizes": ("H", "W"), "shape": (3, "H", "W"),
        "items": (Input(3, 8, 8), ReLU()), "inputs": Input(1, 8, 8), "outputs": None,
        "block": Sequential(ReLU()), "times": 2, "unit": 0, "batch": "B", "dtype": "float32",
        "optimizer": None, "convention": "saved", "standalone": False, "receptive_field": False,
        "memory": None, "divisors": {}, "more": None, "multichoice": False, "exam_class": False,
        "per_layer": False, "stacked": False, "top": 3, "log": False, "title": None,
    }  # fmt: skip


def _public_callables() -> list[tuple[str, Callable[..., Any]]]:
    found: list[tuple[str, Callable[..., Any]]] = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            item = getattr(module, name)
            if inspect.isclass(item) and issubclass(item, BaseException):
                continue
            constructor = inspect.isclass(item) and name in CONSTRUCTORS
            if inspect.isfunction(item) or constructor:
                found.append((f"{module_name}.{name}", item))
    return found


# Classes whose constructor takes user values (results and plain records are built by symcnn).
CONSTRUCTORS = {"Input", "Sequential", "Repeat", "Formula", "Predicate"}
TEXTUAL = ("str", "object", "Any", "Value", "Mapping", "Sequence", "Iterable", "Expr", "Basic")


def _bound_methods(tmp: Path) -> list[tuple[str, Callable[..., Any]]]:
    """Public methods of the result types that take arguments."""
    derivation = _network().derive()
    axis = derivation.rows[1].receptive_field[0]
    owners: list[Any] = [derivation, axis, derivation.receptive_fields]
    found = []
    for owner in owners:
        for name, method in inspect.getmembers(owner, inspect.ismethod):
            if not name.startswith("_") and len(inspect.signature(method).parameters) > 0:
                found.append((f"{type(owner).__name__}.{name}", method))
    return found


NOT_TEXT = {"memory"}  # takes the Memory object Derivation.memory() returns


def _textual(parameter: inspect.Parameter) -> bool:
    if parameter.name in NOT_TEXT:
        return False
    annotation = str(parameter.annotation)
    return parameter.annotation is inspect.Parameter.empty or any(word in annotation for word in TEXTUAL)


def _variants(parameter: inspect.Parameter, payload: str, sample: Any) -> list[Any]:
    annotation = str(parameter.annotation)
    if "Mapping" in annotation or parameter.kind is inspect.Parameter.VAR_KEYWORD:
        key, value = next(iter(sample.items())) if isinstance(sample, dict) and sample else ("k", 1)
        if not isinstance(value, str | int):  # values that are not text (derivations): only the keys are
            return [{payload: value}]
        return [{key: payload}, {key: Sneaky()}, {payload: value}]
    forms: list[Any] = [payload, Sneaky()]
    if "Sequence" in annotation or "Iterable" in annotation or parameter.kind is inspect.Parameter.VAR_POSITIONAL:
        forms.append([payload])
    return forms


def _call(function: Callable[..., Any], samples: dict[str, Any], target: str, value: Any) -> None:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in inspect.signature(function).parameters.values():
        given = value if parameter.name == target else samples.get(parameter.name, parameter.default)
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            args.extend(given if parameter.name == target and isinstance(given, list) else [given])
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            kwargs.update(given or {})
        elif parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            args.append(given)
        else:
            kwargs[parameter.name] = given
    function(*args, **kwargs)


def _walk(entries: list[tuple[str, Callable[..., Any]]], tmp: Path) -> int:
    samples = _samples(tmp)
    calls = 0
    broken = []
    for label, function in entries:
        parameters = inspect.signature(function).parameters.values()
        missing = [p.name for p in parameters if p.name not in samples and p.default is inspect.Parameter.empty]
        assert not missing, f"{label}: give the canary walk a sample for {missing}"
        for parameter in parameters:
            if not _textual(parameter):
                continue
            for payload in PAYLOADS:
                for value in _variants(parameter, payload, samples.get(parameter.name)):
                    calls += 1
                    try:
                        _call(function, samples, parameter.name, value)
                    except SymcnnError:
                        pass
                    except (TypeError, AttributeError) as error:
                        if not isinstance(value, Sneaky):  # a non-string where text goes: a type error ran nothing
                            broken.append(f"{label}({parameter.name}={value!r}) raised {type(error).__name__}: {error}")
                    except Exception as error:  # the point: say which call broke the rule
                        broken.append(f"{label}({parameter.name}={value!r}) raised {type(error).__name__}: {error}")
                    assert not (tmp / "CANARY").exists(), f"{label}({parameter.name}={value!r}) ran code"
    assert not broken, "\n".join(sorted(set(broken)))
    return calls


def test_public_functions_never_run_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    entries = _public_callables()
    assert len(entries) > 30  # the walk did find the API
    assert _walk(entries, tmp_path) > 500


def test_result_methods_never_run_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    entries = _bound_methods(tmp_path)
    assert {"Derivation.subs", "Axis.interval", "Derivation.memory"} <= {label for label, _ in entries}
    assert _walk(entries, tmp_path) > 50


@pytest.mark.parametrize(
    "call",
    [
        lambda payload: _network().derive().rows[1].receptive_field[0].interval(payload),
        lambda payload: symcnn.whatif.Formula(payload, ["k"]),
        lambda payload: __import__("symcnn.whatif.monotone").whatif.monotone.direction(payload, sympy.Symbol("k"), 1),
    ],
    ids=["interval", "Formula", "direction"],
)
def test_the_three_former_sympify_entries_refuse_code(call: Callable[[str], Any], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(symcnn.SpecError, match="cannot parse formula"):
        call(PAYLOADS[0])
    assert not (tmp_path / "CANARY").exists()


def test_formula_strings_still_work_where_they_are_documented() -> None:
    axis = _network().derive().rows[1].receptive_field[0]
    assert axis.interval("t + 1") == axis.interval(sympy.Symbol("t", integer=True, positive=True) + 1)
    formula = symcnn.whatif.Formula("k*k + 1", ["k"])
    assert list(formula({"k": [1, 2, 3]})) == [2, 5, 10]


# --- lint: sympify never sees a string from outside --------------------------------------------------

# Calls without strict=True, each known to receive only values symcnn built (never user text).
ALLOWED_SYMPIFY = {
    ("symcnn/exam/kinds/common.py", "shape_math"): "shapes come from a Derivation (ints and SymPy expressions)",
    ("symcnn/exam/distractors.py", "make"): "values are computed by symcnn's own distractor formulas",
    ("symcnn/adapters/torch/tensors.py", "handle"): "operands are traced sizes (ints or SymPy), never text",
}
SYMPIFYING = {"sympify", "S", "parse_expr", "eval", "exec"}


class _Finder(ast.NodeVisitor):
    """Calls of SYMPIFYING names, each with the innermost function around it ("<module>" at top level)."""

    def __init__(self) -> None:
        self.scope = ["<module>"]
        self.found: list[tuple[str, ast.Call]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        if _callee(node) in SYMPIFYING:
            self.found.append((self.scope[-1], node))
        self.generic_visit(node)


def _callee(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _calls(root: Path) -> list[tuple[str, str, ast.Call]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        finder = _Finder()
        finder.visit(ast.parse(path.read_text(encoding="utf-8")))
        found += [(path.relative_to(root.parent).as_posix(), scope, call) for scope, call in finder.found]
    return found


def test_no_sympify_of_outside_text() -> None:
    root = Path(symcnn.__file__).parent
    offending = []
    for path, function, call in _calls(root):
        callee = _callee(call)
        if callee in ("eval", "exec", "parse_expr"):
            offending.append(f"{path}:{call.lineno} in {function}(): {callee}() is never allowed")
            continue
        strict = any(k.arg == "strict" and isinstance(k.value, ast.Constant) and k.value.value is True
                     for k in call.keywords)  # fmt: skip
        literal = all(isinstance(arg, ast.Constant) and not isinstance(arg.value, str) for arg in call.args)
        if not (strict or literal or (path, function) in ALLOWED_SYMPIFY):
            offending.append(f"{path}:{call.lineno} in {function}(): {callee}() without strict=True")
    assert not offending, "\n".join(offending)


def test_the_lint_sees_the_calls_it_checks() -> None:
    root = Path(symcnn.__file__).parent
    sites = {(path, function) for path, function, _ in _calls(root)}
    assert ("symcnn/exact/simplify.py", "floor_div") in sites  # strict=True there
    for site in ALLOWED_SYMPIFY:  # an allowance for a call that is gone must be removed
        assert site in sites, f"stale allowance {site}"
