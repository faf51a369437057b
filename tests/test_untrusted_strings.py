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


# --- the command line: every option that takes text ---------------------------------------------------

P = PAYLOADS[0]
SPEC = "net.yaml"
CLI_CALLS = [
    ["derive", P],
    ["derive", SPEC, "--subs", f"H={P}"],
    ["derive", SPEC, "--assume", P],
    ["derive", "--torch", P, "--input", "3,8,8"],
    ["derive", "--torch", "torchvision.models:resnet18", "--input", P],
    ["derive", "--zoo", P],
    ["derive", "--zoo", "resnet18", "--set", f"layers={P}"],
    ["derive", SPEC, "--memory", "--batch", P],
    ["derive", SPEC, "-o", P],
    ["rules", "-o", P],
    ["paper", P, "-o", "out"],
    ["paper", SPEC, "-o", P],
    ["paper", "--torch", P, "--input", "3,8,8", "-o", "out"],
    ["paper", "--zoo", f"resnet18 layers={P}", "-o", "out"],
    ["paper", SPEC, "--name", P, "-o", "out"],
    ["paper", SPEC, "--at", f"H={P}", "-o", "out"],
    ["paper", SPEC, "--columns", P, "-o", "out"],
    ["whatif", "solve", SPEC, "--largest", P],
    ["whatif", "solve", SPEC, "--largest", "k", "--subject-to", f"params <= {P}"],
    ["whatif", "solve", SPEC, "--largest", "k", "--subs", f"H={P}"],
    ["whatif", "solve", SPEC, "--smallest", P],
    ["whatif", "sensitivity", SPEC, "--of", P, "--wrt", "k", "--at", "k=2", "H=8", "W=8"],
    ["whatif", "sensitivity", SPEC, "--of", "params", "--wrt", P, "--at", "k=2"],
    ["whatif", "sensitivity", SPEC, "--of", "params", "--wrt", "k", "--at", f"k={P}"],
    ["whatif", "compare", SPEC, P],
    ["whatif", "compare", SPEC, SPEC, "--at", f"k={P}"],
    ["whatif", "compare", SPEC, SPEC, "--quantities", P],
    ["whatif", "sweep", SPEC, "--grid", f"k={P}", "H=8", "W=8"],
    ["whatif", "sweep", SPEC, "--grid", "k=1:3", "H=8", "W=8", "--quantities", P],
    ["whatif", "plot", SPEC, "--x", f"k={P}", "--subs", "H=8", "W=8", "-o", "p.png"],
    ["whatif", "plot", SPEC, "--x", "k=1:3", "--y", P, "--subs", "H=8", "W=8", "-o", "p.png"],
    ["whatif", "plot", SPEC, "--x", "k=1:3", "--subs", f"H={P}", "W=8", "-o", "p.png"],
    ["exam", "--kinds", P],
    ["exam", "-o", P],
    ["zoo", P],
    ["zoo", "resnet18", "-o", P],
    ["paper", "--torch", "torchvision.models:resnet18", "--input", P, "-o", "out"],
]
for question, extra in [
    ("solve", ["--largest", "k"]),
    ("sensitivity", ["--of", "params", "--wrt", "k", "--at", "k=2", "H=8", "W=8"]),
    ("sweep", ["--grid", "k=1:3", "H=8", "W=8"]),
    ("plot", ["--x", "k=1:3", "--subs", "H=8", "W=8"]),
]:
    output = ["-o", "p.png"] if question == "plot" else []
    CLI_CALLS += [
        ["whatif", question, P, *extra, *output],
        ["whatif", question, "--torch", P, "--input", "3,8,8", *extra, *output],
        ["whatif", question, "--torch", "torchvision.models:resnet18", "--input", P, *extra, *output],
        ["whatif", question, SPEC, *extra, "-o", P],
    ]
CLI_CALLS.append(["whatif", "compare", SPEC, SPEC, "-o", P])


def test_every_text_option_of_the_cli_refuses_code(tmp_path, monkeypatch, capsys):
    from symcnn.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / SPEC).write_text("input: [3, H, W]\nlayers:\n  - {type: conv2d, out_channels: k, kernel_size: 3}\n")
    for argv in CLI_CALLS:
        try:
            status = main(argv)
        except SystemExit as exit_:  # argparse refusing a choice
            status = exit_.code
        err = capsys.readouterr().err
        assert status in (0, 2), f"{argv}: {err}"
        assert "internal error" not in err, f"{argv}: {err}"
        assert not (tmp_path / "CANARY").exists(), f"{argv} ran code"


def test_the_cli_walk_covers_every_option_that_takes_text():
    import argparse

    from symcnn.cli import parser

    def options(command: argparse.ArgumentParser, prefix: list[str]) -> list[tuple[list[str], str]]:
        found = []
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += options(sub, [*prefix, name])
            elif action.nargs != 0 and not action.choices and action.type in (None, str):
                found.append((prefix, tuple(action.option_strings) or (action.dest,)))
        return found

    covered = set()
    for argv in CLI_CALLS:
        words = [word for word in argv if not word.startswith("-")][:2]
        command = words[:2] if words[0] == "whatif" else words[:1]
        for index, word in enumerate(argv):
            if P in word:
                flag = argv[index - 1] if argv[index - 1].startswith("-") else "positional"
                covered.add((tuple(command), flag))
    missing = []
    for prefix, names in options(parser(), []):
        if names[0].startswith("-"):
            if not any((tuple(prefix), name) in covered for name in names):
                missing.append(f"{' '.join(prefix)} {names[-1]}")
        elif (tuple(prefix), "positional") not in covered and names[0] not in ("command", "question"):
            missing.append(f"{' '.join(prefix)} <{names[0]}>")
    assert not missing, "give the CLI canary walk a call for: " + ", ".join(missing)
