"""The layers: folders, imports only downward, matplotlib only where figures are drawn.

domain -> load -> analysis -> plan -> draw -> output -> cli (README, "Architecture").
``errors`` and ``_resources`` sit below every layer; the package's ``__init__`` is the
public facade and may name anything (lazily).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nmo_timeline"
LAYERS = ["domain", "load", "analysis", "plan", "draw", "output", "cli"]
BASE = {"errors", "_resources"}
FIGURE_LAYERS = {"draw", "output"}  # where matplotlib may be imported
MAX_LINES = 500
FACADE_ALLOWED = {"nmo_timeline.__version__"}  # the one name the layers take from the facade


def layer_of(module: str) -> int:
    """0 for the base modules, 1.. for the layers, len(LAYERS) + 1 for the facade."""
    parts = module.split(".")[1:]  # drop "nmo_timeline"
    if not parts or parts[0] in ("__init__", "__main__"):
        return len(LAYERS) + 1
    if parts[0] in BASE:
        return 0
    return LAYERS.index(parts[0]) + 1


def imports(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every import in ``source`` (top level and inside functions) as absolute names."""
    out = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target != "nmo_timeline":  # from the facade: only the names below count
                out.append((node.lineno, target))
            if node.module is None or target == "nmo_timeline":  # "from . import x"
                out += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return out


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Upward imports, and matplotlib below the drawing layers."""
    found = []
    own = layer_of(module)
    top = module.split(".")[1] if "." in module else ""
    for line, target in imports(source, module, is_package):
        if target.split(".")[0] == "matplotlib" and top not in FIGURE_LAYERS:
            found.append(f"{module}:{line} imports matplotlib outside draw/ and output/")
        parts = target.split(".")
        inside = len(parts) > 1 and parts[0] == "nmo_timeline" and (
            parts[1] in LAYERS or parts[1] in BASE)
        if inside and own <= len(LAYERS) and layer_of(target) > own:
            found.append(f"{module}:{line} imports {target} from a higher layer")
        facade = parts[0] == "nmo_timeline" and (len(parts) == 1 or (
            parts[1] not in LAYERS and parts[1] not in BASE))
        if facade and own <= len(LAYERS) and target not in FACADE_ALLOWED:
            found.append(f"{module}:{line} imports {target} through the package's facade "
                         "(which imports every layer): import it from its own layer")
        if top == "domain" and target.startswith("nmo_timeline.") \
                and not target.startswith("nmo_timeline.domain"):
            found.append(f"{module}:{line} domain/ imports {target} (domain has no project "
                         "imports)")
    return found


def sources() -> list[tuple[Path, str, bool]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        is_package = path.name == "__init__.py"
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if is_package:
            name = name.removesuffix(".__init__")
        out.append((path, name, is_package))
    return out


def test_every_module_belongs_to_a_layer():
    for _path, name, _ in sources():
        parts = name.split(".")
        if len(parts) == 1:
            continue
        assert parts[1] in LAYERS or parts[1] in BASE or parts[1] == "__main__", name


def test_imports_only_flow_downward_and_matplotlib_stays_in_draw_and_output():
    found = []
    for path, name, is_package in sources():
        if name == "nmo_timeline":  # the facade names the public API lazily
            continue
        found += violations(path.read_text(), name, is_package)
    assert found == []


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("nmo_timeline.load.check", "from ..cli import app\n", "from a higher layer"),
    ("nmo_timeline.analysis.steps", "def f():\n    from ..draw.figure import Style\n",
     "from a higher layer"),
    ("nmo_timeline.plan.timeline", "import matplotlib.pyplot as plt\n", "matplotlib outside"),
    ("nmo_timeline.domain.registry", "from ..errors import Problem\n", "domain has no project"),
    ("nmo_timeline.load.check", "from .. import plot_timeline\n", "the package's facade"),
    ("nmo_timeline.analysis.steps", "import nmo_timeline\n", "the package's facade"),
    ("nmo_timeline.plan.timeline", "from nmo_timeline import load_events\n",
     "the package's facade"),
])
def test_the_check_catches_a_planted_violation(module, source, expected):
    (problem,) = violations(source, module)
    assert expected in problem


def test_the_check_allows_downward_imports():
    assert violations("from ..load import EventTable\nfrom ..errors import InputError\n",
                      "nmo_timeline.draw.plot") == []
    assert violations("from .. import __version__\n", "nmo_timeline.cli.base") == []


def test_no_module_is_over_500_lines():
    long = {name: n for path, name, _ in sources()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_help_imports_no_heavy_library():
    code = (
        "import sys\nfrom nmo_timeline.cli import app\n"
        "try:\n    app(['--help'], prog_name='nmo-timeline')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pandas', 'numpy', 'matplotlib', 'scipy', 'statsmodels') "
        "if m in sys.modules]\nprint('HEAVY', heavy, file=sys.stderr)\n"
    )
    for args in ([], ["plot"], ["summary"], ["swimmer"], ["validate"]):
        script = code.replace("['--help']", repr([*args, "--help"]))
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=120)
        assert "HEAVY []" in proc.stderr, (args, proc.stderr[-500:])
