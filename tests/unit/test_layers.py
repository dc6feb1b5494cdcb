"""The package's layering, read from the source with ``ast`` (nothing is imported):

- no import cycles between the modules of ``src/promorules``;
- only the ``cli`` package parses arguments or writes to standard output / error;
- no module reads another module's private (underscore) names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "promorules"


# -- reading the package -------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
TREES: dict[str, ast.Module] = {
    name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()
}


def _package_of(module: str) -> str:
    """The package a module's relative imports start from."""
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def _absolute(module: str, level: int, name: str | None) -> str:
    """``from <level dots><name> import ...`` in ``module``, made absolute."""
    if level == 0:
        return name or ""
    base = _package_of(module)
    for _ in range(level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{name}" if name else base


def _imported(module: str, node: ast.AST) -> Iterator[str]:
    """The promorules modules an import statement (or an ``importlib.import_module`` call
    with a constant name) loads."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        target = _absolute(module, node.level, node.module)
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            yield sub if sub in MODULES else target  # `from . import calendar`: the module
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
          and node.func.attr == "import_module" and node.args
          and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        name = node.args[0].value
        if name.startswith("."):
            package = node.args[1] if len(node.args) > 1 else None
            level = len(name) - len(name.lstrip("."))
            if isinstance(package, ast.Name) and package.id == "__package__":
                yield _absolute(module, level, name.lstrip(".") or None)
        else:
            yield name


def import_graph() -> dict[str, set[str]]:
    """module -> the promorules modules it imports: at module level, inside functions and
    under ``if TYPE_CHECKING:`` alike (a cycle through a type-only import is still a
    layering cycle)."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, tree in TREES.items():
        for node in ast.walk(tree):
            for target in _imported(name, node):
                # `import promorules.x.y` loads y; a name imported from a module is that module
                while target and target not in MODULES and "." in target:
                    target = target.rpartition(".")[0]
                if target in MODULES and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each as one
    cycle through all its members, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def _path(graph: dict[str, set[str]], members: list[str]) -> str:
    """One concrete cycle inside a component, for the failure message: a -> b -> a."""
    start = members[0]
    inside = set(members)
    seen = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v] & inside):
            if w == start:
                return " -> ".join([*seen[v], start])
            if w not in seen:
                seen[w] = [*seen[v], w]
                queue.append(w)
    return " / ".join(members)  # pragma: no cover - a component always has a cycle


# -- import cycles -------------------------------------------------------------------------

def _describe(graph: dict[str, set[str]], found: list[list[str]]) -> str:
    return "import cycles:\n" + "\n".join(f"  {_path(graph, c)}   (modules: {', '.join(c)})"
                                          for c in found)


def test_the_graph_sees_every_kind_of_import() -> None:
    graph = import_graph()
    assert "promorules.ruleset" in graph["promorules.cli.eval"]  # from ..ruleset import load
    assert "promorules" in graph["promorules.cli"]  # from .. import __version__
    assert "promorules.cli.common" in graph["promorules.cli"]  # from .common import ...
    # `importlib.import_module("promorules.backends.durable")` inside a function
    assert "promorules.backends.durable" in graph["promorules.monitor"]


def test_cycle_finder_reports_type_checking_and_function_level_imports() -> None:
    sources = {
        "a": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from b import B\n",
        "b": "def f():\n    import a\n",
        "c": "import a\n",
    }
    graph = {name: {t for node in ast.walk(ast.parse(text)) for t in _plain_imports(node)
                    if t in sources} for name, text in sources.items()}
    assert cycles(graph) == [["a", "b"]]
    assert _path(graph, ["a", "b"]) == "a -> b -> a"


def _plain_imports(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names)
    elif isinstance(node, ast.ImportFrom) and node.module:
        yield node.module


def test_no_import_cycles() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, _describe(graph, found)


# -- the cli package alone owns argparse and the standard streams --------------------------


def _library_modules() -> list[str]:
    return [m for m in MODULES if m != "promorules.cli" and not m.startswith("promorules.cli.")
            and m != "promorules.__main__"]


def cli_code(tree: ast.Module) -> list[str]:
    """What in a module parses arguments or writes to the process's standard streams."""
    found: list[str] = []
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] in ("argparse", "optparse", "getopt")]
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in ("argparse", "optparse", "getopt"):
                found.append(f"{where}: from {node.module} import ...")
            if node.module == "sys":
                found += [f"{where}: from sys import {a.name}" for a in node.names
                          if a.name in ("stdout", "stderr", "stdin", "__stdout__",
                                        "__stderr__", "argv")]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "sys" and node.attr in (
                  "stdout", "stderr", "stdin", "__stdout__", "__stderr__", "argv")):
            found.append(f"{where}: sys.{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("print", "input")
              and not any(k.arg == "file" for k in node.keywords)):
            found.append(f"{where}: {node.func.id}() to the standard streams")
    return sorted(found, key=lambda text: int(text.split()[1].rstrip(":")))


def test_cli_code_finder() -> None:
    tree = ast.parse("import argparse\nimport sys\nsys.stderr.write('x')\nprint('a')\n"
                     "print('b', file=buf)\nfrom sys import stdout\n")
    assert cli_code(tree) == ["line 1: import argparse", "line 3: sys.stderr",
                              "line 4: print() to the standard streams",
                              "line 6: from sys import stdout"]


def test_only_the_cli_package_parses_arguments_and_prints() -> None:
    offenders = {m: found for m in _library_modules() if (found := cli_code(TREES[m]))}
    assert not offenders, "CLI code outside promorules.cli:\n" + "\n".join(
        f"  {m}: {'; '.join(found)}" for m, found in offenders.items())


# -- no module reads another module's private names ----------------------------------------

# Underscore names that are public API of the standard library.
PUBLIC_UNDERSCORE = frozenset({"_replace", "_asdict", "_fields", "_make", "_field_defaults"})

def _defined_private(tree: ast.Module) -> set[str]:
    """The underscore names a module defines itself: module-level names, the members of its
    classes (methods, class attributes and annotations, ``__slots__``), and attributes it
    sets on ``self`` / ``cls``."""
    names: set[str] = set()

    def target_names(target: ast.AST) -> Iterator[str]:
        if isinstance(target, ast.Name):
            yield target.id
        elif isinstance(target, ast.Tuple | ast.List):
            for t in target.elts:
                yield from target_names(t)

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                names.update(target_names(t))
                if (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                        and t.value.id in ("self", "cls")):
                    names.add(t.attr)
                if isinstance(t, ast.Name) and t.id == "__slots__" and node.value is not None:
                    names.update(c.value for c in ast.walk(node.value)
                                 if isinstance(c, ast.Constant) and isinstance(c.value, str))
        elif isinstance(node, ast.Call) and len(node.args) >= 2 and isinstance(
                node.args[0], ast.Name) and node.args[0].id in ("self", "cls") and isinstance(
                node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            names.add(node.args[1].value)  # object.__setattr__(self, "_x", ...) in a frozen class
    return {n for n in names if n.startswith("_")}


def _module_aliases(module: str, tree: ast.Module) -> set[str]:
    """Local names bound to modules by imports (``import x``, ``from . import calendar``)."""
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, node.level, node.module)
            aliases.update(a.asname or a.name for a in node.names
                           if f"{target}.{a.name}" in MODULES)
    return aliases


def private_reads(module: str, tree: ast.Module) -> list[tuple[str, int, str]]:
    """(private name, line, expression) for every read of another module's private name:

    - ``x._name`` where ``x`` is not ``self``, ``cls`` or ``super()`` and ``_name`` is not
      defined by this module (nor a documented public underscore name such as
      ``_replace``), or where ``x`` is an imported module (``compiler._CTX``);
    - ``getattr(x, "_name")`` on the same terms;
    - ``from .other import _name``.

    Dunder names (``__class__``) are not private. The rule matches by name: a module that
    defines ``_x`` itself may read ``_x`` on any object, which keeps it precise for the
    common case (a class reading its own fields on another instance of itself).
    """
    own = _defined_private(tree)
    modules = _module_aliases(module, tree)
    found: list[tuple[str, int, str]] = []

    def private(name: str) -> bool:
        return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))

    def check(base: ast.expr, name: str, node: ast.AST, text: str) -> None:
        if not private(name) or name in PUBLIC_UNDERSCORE:
            return
        if isinstance(base, ast.Name) and base.id in modules:
            found.append((name, getattr(node, "lineno", 0), text))
            return
        if isinstance(base, ast.Name) and base.id in ("self", "cls"):
            return
        if (isinstance(base, ast.Call) and isinstance(base.func, ast.Name)
                and base.func.id == "super"):
            return
        if name not in own:
            found.append((name, getattr(node, "lineno", 0), text))

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            check(node.value, node.attr, node, ast.unparse(node))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "hasattr") and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            check(node.args[0], node.args[1].value, node, ast.unparse(node))
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, node.level, node.module)
            if target.split(".")[0] == "promorules":
                for alias in node.names:
                    if private(alias.name):
                        found.append((alias.name, node.lineno,
                                      f"from {target} import {alias.name}"))
    return found


def _offenders() -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for module, tree in TREES.items():
        for name, line, text in private_reads(module, tree):
            out.setdefault((module, name), []).append(f"line {line}: {text}")
    return out


def test_private_read_finder() -> None:
    tree = ast.parse(
        "import promorules.compiler as compiler\n"
        "from .trace import _helper\n"
        "class A:\n"
        "    __slots__ = ('_a',)\n"
        "    def f(self, other, rs):\n"
        "        self._b = 1\n"
        "        return (other._a, self._c, rs._model, getattr(rs, '_x'), super()._d,\n"
        "                compiler._CTX, rs._replace(), rs.__class__)\n")
    found = sorted((name, text) for name, _, text in private_reads("promorules.ruleset", tree))
    assert found == [("_CTX", "compiler._CTX"),
                     ("_helper", "from promorules.trace import _helper"),
                     ("_model", "rs._model"), ("_x", "getattr(rs, '_x')")]


def test_no_module_reads_another_modules_private_names() -> None:
    new = _offenders()
    assert not new, "private names read from another module (add a public interface):\n" + \
        "\n".join(f"  {m}: {name}: {'; '.join(where)}" for (m, name), where in new.items())
