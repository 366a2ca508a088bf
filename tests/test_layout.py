"""The shape of the code: imports point down the declared order of apps (README, "Layout"), no two modules
import each other (directly or round a loop), product code never imports the tests, and each shared name
has one definition. Read from the source with `ast`, so nothing is imported to check it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Lowest first: a package may import those in its own layer's lower layers, never those above. Packages
# of one layer do not import each other (the page apps are siblings), except within themselves.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("fakes",),  # wire-faithful fake model servers; import nothing of ours
    ("inspection",),  # pure detectors
    ("accounts",),
    ("retrieval",),
    ("routing",),
    ("assistant", "library", "governance", "operations", "audit"),  # the page apps
    ("api",),  # the REST API: on the page apps' services (assistant's ask and history), never the reverse
    ("config",),  # settings and URLs: wires the apps together
    (
        "benchmarks",
        "scripts",
        "demo",
        "examples",
    ),  # tools of the developers and programs to copy, never imported by the product
)
LEVEL = {name: n for n, layer in enumerate(LAYERS) for name in layer}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files() -> Iterator[Path]:
    for package in LEVEL:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def runtime_imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of each absolute import that runs (those under `if TYPE_CHECKING:` do not). For
    `from a import b`, both `a` and `a.b` are given: b may be a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


FILES = list(source_files())
MODULES = {module_name(path): path for path in FILES}


def test_every_top_level_package_has_a_place_in_the_order() -> None:
    folders = {p.name for p in ROOT.iterdir() if p.is_dir() and any(p.glob("*.py"))}
    assert folders - {"tests"} == set(LEVEL), "add the new package to LAYERS here and to the README's layout"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_the_order(path: Path) -> None:
    own = path.relative_to(ROOT).parts[0]
    wrong = []
    for line, name in runtime_imports(path):
        top = name.split(".")[0]
        if top == "tests":
            wrong.append(f"line {line}: {name} (nothing outside tests/ imports the tests)")
        elif top in LEVEL and top != own and LEVEL[top] >= LEVEL[own]:
            wrong.append(f"line {line}: {name} ({top} is not below {own})")
    assert not wrong, "\n".join(wrong)


def test_no_two_modules_import_each_other_even_round_a_loop() -> None:
    graph = {
        name: {imported for _, imported in runtime_imports(path) if imported in MODULES and imported != name}
        for name, path in MODULES.items()
    }
    loops = []
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            loops.append(" -> ".join([*trail[trail.index(name) :], name]))
            return
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert not loops, "\n".join(loops)


@pytest.mark.parametrize(
    "name",
    ["Classification", "Role", "Workload", "Zone", "CustomPattern", "HtmxHttpRequest", "RequestFacts", "GatedAnswer"],
)
def test_a_shared_name_is_defined_once(name: str) -> None:
    where = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in FILES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and node.name == name
    ]
    assert len(where) == 1, where


def test_the_facts_of_a_request_are_built_in_one_place() -> None:
    builders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in FILES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "RequestFacts"
    ]
    assert builders == [b for b in builders if b.startswith("routing/facts.py:")] and len(builders) == 1, builders


def test_the_readme_names_every_package() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in [*LEVEL, "tests", "deploy", "docs", "demo"] if f"`{name}/`" not in readme] == []
