"""The README's set-up commands are what CI runs, and the install pulls in no torch."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    blocks = [b.strip() for b in re.findall(r"```bash\n(.*?)\n```", setup, flags=re.S)]
    assert len(blocks) == 2, "README's Set-up section must hold exactly two commands"
    return blocks


def _ci_lines() -> list[str]:
    return [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]


def test_ci_runs_the_readme_commands():
    install, tests = _setup_blocks()
    ci = _ci_lines()
    assert install in ci, f"CI does not run the README command: {install}"
    assert ci.count(tests) >= 2, f"CI must run the README's test command at least twice: {tests}"
    assert ci.index(install) < ci.index(tests)
    assert "set -euo pipefail" in ci and "export MPLBACKEND=Agg" in ci


def test_install_command_needs_no_torch_and_builds_ana_cont_as_its_sdist_needs():
    install, _ = _setup_blocks()
    assert "torch" not in install
    assert "--no-build-isolation ana-cont==1.1.2" in install
    assert install.index("Cython") < install.index("--no-build-isolation ana-cont")
    assert re.search(r'"numpy>=1\.24,<2\.4"', install), "numpy must stay below 2.4 for ana_cont's MaxEnt"
    assert '-e ".[ana_cont,dev]"' in install
    assert install.endswith("ac-learned demo")


def test_test_command_makes_a_fresh_temporary_folder():
    _, tests = _setup_blocks()
    assert tests.startswith("python -m pytest tests") and '--basetemp="$(mktemp -d)"' in tests


def test_pyproject_keeps_torch_optional_and_numpy_below_2_4_for_ana_cont():
    text = (ROOT / "pyproject.toml").read_text()
    deps = re.search(r"^dependencies = \[(.*?)^\]", text, flags=re.S | re.M).group(1)
    assert "torch" not in deps, "torch must stay an optional extra"
    assert re.search(r'^torch = \["torch>=2\.1"\]$', text, flags=re.M)
    ana_cont = re.search(r"^ana_cont = \[(.*?)\]$", text, flags=re.M).group(1)
    assert '"ana-cont==1.1.2"' in ana_cont and '"numpy>=1.24,<2.4"' in ana_cont
