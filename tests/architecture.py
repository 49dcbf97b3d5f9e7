"""Reads the package's import graph from its source and lists what breaks the documented layering.

The rules (docs/explanation/architecture.md): a module imports only from its own layer or the
layers below it; no import cycle; no name starting with one underscore is imported from another
module, nor reached as an attribute of an imported module or another module's object; outside a
package, what its front exports is imported from the front. A private module (``_name.py``)
is internal to the library: its public names are shared by any module that needs them.
``scripts/architecture_diagram.py`` draws the same graph for the docs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs

ROOT = "majorincident"

#: Top to bottom: a module imports only from its own layer or the layers below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli", "__main__"),
    ("serialization",),
    ("frames", "interop", "testing"),
    ("workflow",),
    ("communication", "escalation", "sla", "review", "kpi"),
    ("lifecycle",),
    ("incident",),
    ("classification", "roles", "process"),
    ("clock", "errors", "_checks", "_deprecated", "_frozen", "_tables", "data"),
)


@attrs.frozen
class Import:
    """One import statement's target, as the importing module wrote it."""

    importer: str
    target: str
    names: tuple[str, ...]
    line: int
    deferred: bool


def module_name(path: Path, src: Path) -> str:
    """The dotted name of the module stored at `path` under the source root `src`."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(src: Path) -> dict[str, Path]:
    """Every module of the package under the source root `src`, by dotted name."""
    return {module_name(path, src): path for path in sorted((src / ROOT).rglob("*.py"))}


def _absolute(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, deferred: bool) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _type_checking(child):
            continue  # annotations only: no import happens at run time
        inner = deferred or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
        yield child, inner
        yield from _walk(child, inner)


def imports(name: str, path: Path) -> list[Import]:
    """The package-internal imports of one module, with whether each runs only inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node, deferred in _walk(tree, deferred=False):
        if isinstance(node, ast.ImportFrom):
            target = _absolute(name, path.name == "__init__.py", node)
            names = tuple(alias.name for alias in node.names)
            found.append(Import(name, target, names, node.lineno, deferred))
        elif isinstance(node, ast.Import):
            found.extend(
                Import(name, alias.name, (), node.lineno, deferred) for alias in node.names
            )
    return [each for each in found if each.target.split(".")[0] == ROOT]


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def exported(path: Path) -> frozenset[str]:
    """The names a module's ``__all__`` lists (none when it has no literal one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return frozenset(ast.literal_eval(node.value))
    return frozenset()


#: The longest a module may be without its docstring saying why.
MAX_LINES = 400


def oversized(known: Mapping[str, Path]) -> list[str]:
    """Modules over :data:`MAX_LINES` lines whose docstring does not say why they are that long."""
    problems = []
    for name, path in known.items():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        reason = ast.get_docstring(ast.parse(text, str(path))) or ""
        if lines > MAX_LINES and f"{MAX_LINES} lines" not in reason:
            problems.append(f"{name} has {lines} lines and its docstring does not say why")
    return problems


def front_bypasses(known: Mapping[str, Path]) -> list[str]:
    """Names imported from inside another package although its front exports them."""
    problems = []
    for name, path in known.items():
        for each in imports(name, path):
            parts = each.target.split(".")
            for depth in range(2, len(parts)):
                front = ".".join(parts[:depth])
                if (name + ".").startswith(front + ".") or known[front].name != "__init__.py":
                    continue
                problems.extend(
                    f"{name}:{each.line} imports {imported} from {each.target}, not from {front}"
                    for imported in sorted(exported(known[front]) & set(each.names))
                )
    return problems


def private_imports(known: Mapping[str, Path]) -> list[str]:
    """Imports of a private name from another module, and of a private module from outside."""
    problems = []
    owners = _private_members(known)
    for name, path in known.items():
        for each in imports(name, path):
            for imported in each.names:
                full = f"{each.target}.{imported}"
                if _private(imported) and full not in known:
                    problems.append(f"{name}:{each.line} imports {imported} from {each.target}")
        problems.extend(_private_attributes(name, path, known, owners))
    return problems


def _private_members(known: Mapping[str, Path]) -> dict[str, set[str]]:
    """Which modules define each private method or class attribute of the package's classes."""
    owners: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        constants = _constants(tree)
        for cls in ast.walk(tree):
            if not isinstance(cls, ast.ClassDef):
                continue
            for node in cls.body:
                members = _members(node, constants)
                for member in members:
                    if _private(member):
                        owners.setdefault(member, set()).add(name)
    return owners


def _members(node: ast.stmt, constants: Mapping[str, ast.expr]) -> list[str]:
    """The names a statement of a class body defines: methods, fields and declared slots.

    Slots may be spelled out, or unpacked from a tuple the module defines (`constants`).
    """
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return [node.name]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets
    ):
        names = []
        for item in ast.walk(node.value):
            if isinstance(item, ast.Starred) and isinstance(item.value, ast.Name):
                source = constants.get(item.value.id)
                names += [] if source is None else _strings(source)
        return names + _strings(node.value)
    return []


def _strings(node: ast.expr) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and type(n.value) is str]


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    """The module's top-level assignments by name, for slots unpacked from a tuple."""
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            found[node.target.id] = node.value
        elif isinstance(node, ast.Assign):
            found.update((t.id, node.value) for t in node.targets if isinstance(t, ast.Name))
    return found


def _module_aliases(
    name: str, path: Path, tree: ast.AST, known: Mapping[str, Path]
) -> dict[str, str]:
    """The local names under which a module holds other modules of the package."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = _absolute(name, path.name == "__init__.py", node)
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known and alias.asname:
                    aliases[alias.asname] = alias.name
    return aliases


def _private_attributes(
    name: str, path: Path, known: Mapping[str, Path], owners: Mapping[str, set[str]]
) -> Iterator[str]:
    """Private names read off another module, and private members of another module's classes."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    aliases = _module_aliases(name, path, tree, known)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        value = node.value
        if isinstance(value, ast.Name) and value.id in aliases:
            if aliases[value.id] != name:
                yield f"{name}:{node.lineno} reads {node.attr} from {aliases[value.id]}"
        elif isinstance(value, ast.Name) and value.id in {"self", "cls"}:
            continue
        elif node.attr in owners and name not in owners[node.attr]:
            defined = ", ".join(sorted(owners[node.attr]))
            yield f"{name}:{node.lineno} uses {node.attr}, private to {defined}"


def layer(name: str) -> int:
    """The index in :data:`LAYERS` of the layer holding module `name` (0 is the top)."""
    parts = name.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    for index, members in enumerate(LAYERS):
        if top in members:
            return index
    msg = f"{name} is in no layer: add its subject to LAYERS and to the architecture docs"
    raise LookupError(msg)


def upward_imports(known: Mapping[str, Path]) -> list[str]:
    """Imports from a higher layer than the importer's (the package's own front is exempt)."""
    problems: list[str] = []
    for name, path in known.items():
        if name == ROOT:
            continue
        for each in imports(name, path):
            targets = [f"{each.target}.{n}" for n in each.names if f"{each.target}.{n}" in known]
            targets += [each.target] if each.target != ROOT else []
            problems.extend(
                f"{name}:{each.line} imports upward from {target}"
                for target in targets
                if layer(target) < layer(name)
            )
    return problems


def graph(known: Mapping[str, Path], *, deferred: bool = False) -> dict[str, set[str]]:
    """Module-level import edges between the package's modules (and deferred ones if asked)."""
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for each in imports(name, path):
            if each.deferred and not deferred:
                continue
            targets = [each.target]
            targets += [f"{each.target}.{n}" for n in each.names if f"{each.target}.{n}" in known]
            edges[name].update(t for t in targets if t in known and t != name)
    return edges


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The import cycles among modules, each as the path that closes it (front modules aside).

    A package front importing its own submodules, and submodules importing their package front
    for a sibling, is how Python packages work; a cycle counts when it runs through two
    modules neither of which is the other's package.
    """
    found: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if node.startswith(target + ".") or target.startswith(node + "."):
                continue
            if state.get(target) == 1:
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    return found


def subject(name: str) -> str:
    """The top-level subject (module or package) a module belongs to."""
    return name.split(".")[1] if "." in name else name


def subject_edges(known: Mapping[str, Path]) -> set[tuple[str, str]]:
    """Which subject imports which, deferred imports included, the package front aside."""
    return {
        (subject(name), subject(target))
        for name, targets in graph(known, deferred=True).items()
        for target in targets
        if ROOT not in (name, target) and subject(name) != subject(target)
    }
