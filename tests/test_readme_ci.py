"""The README's set-up commands are what CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)\n```", setup, flags=re.S)
    assert len(blocks) == 2, "README's Set-up section must hold exactly two commands"
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    for block in blocks:
        assert block.strip() in ci, f"CI does not run the README command: {block}"
    assert "torch==2.13.0" in blocks[0] and "--no-build-isolation ana-cont" in blocks[0]
    assert blocks[0].strip().endswith("ac-learned demo")
