"""The docs kept true by a test (as sqlite-utils does):

- README's rules table lists every validation rule code the core defines, each with its severity, and no
  other code;
- README's quick tour runs every command of the `crm-xl` CLI;
- README tells no development history: no commit hash, no "session", no "round of work";
- README and docs/*.md name no path of the machine they were written on: no absolute path, no path above
  the repository — except that docs/architecture.md names ../shared, where the corpus tests look for
  their corpus;
- every relative link of README and docs/*.md points at a file of the repository.

Each check reads its file through a path, so the tests at the end run it on broken copies of the docs
and show that it fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from crm_xl.core.validation.report import UNKNOWN_SETTING
from crm_xl.core.validation.rules import RULES
from crm_xl.shells.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def section(text: str, title: str) -> str:
    """The body of the `## title` section (up to the next `## ` heading)."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section '## {title}'"
    return match.group(1)


# --- the rules table ---------------------------------------------------------------------------------

def defined_rules() -> dict[str, str]:
    """Every validation rule code the core defines → its severity: the rules table, and the warning about
    a Settings label crm-xl does not know (raised from the Settings reader's notes, not from RULES)."""
    return {**{code: rule.severity for code, rule in RULES.items()}, UNKNOWN_SETTING: "warning"}


def rules_table(path: Path) -> list[tuple[str, str]]:
    """(code, severity) of each code in README's rules table (the table headed `| code | severity |`). A
    row may name several codes (`bad_contact` / `bad_email`) with one severity for all, or one each
    (`error / warning`)."""
    lines = read(path).splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"\|\s*code\s*\|\s*severity\s*\|", line)), None)
    assert start is not None, "README has no rules table (| code | severity | …)"
    found = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        codes = re.findall(r"`([^`]+)`", cells[0])
        severities = [s.strip() for s in cells[1].split("/")]
        if len(severities) == 1:
            severities *= len(codes)
        assert codes and len(severities) == len(codes), f"rules table row not understood: {line}"
        found += list(zip(codes, severities, strict=True))
    return found


def rules_table_problems(path: Path) -> list[str]:
    table = rules_table(path)
    listed = dict(table)
    expected = defined_rules()
    problems = [f"{code} is listed twice" for code in sorted(listed) if [c for c, _ in table].count(code) > 1]
    problems += [f"{code} ({severity}) is missing from the rules table" for code, severity in expected.items()
                 if code not in listed]
    problems += [f"{code} is in the rules table but no rule of the core" for code in listed if code not in expected]
    problems += [f"{code} is listed as {listed[code]}, the core says {severity}" for code, severity in expected.items()
                 if code in listed and listed[code] != severity]
    return problems


def test_the_rules_table_lists_every_rule_with_its_severity_and_no_other() -> None:
    assert rules_table_problems(README) == []


# --- the quick tour ----------------------------------------------------------------------------------

def cli_commands() -> list[str]:
    """The commands registered on the typer app, as a user types them."""
    group = typer.main.get_command(app)
    return sorted(name for name, command in group.commands.items() if not command.hidden)


def tour_commands(path: Path) -> set[str]:
    """The crm-xl commands run in the quick tour's code blocks (`crm-xl X …` or `.venv/bin/crm-xl X …`)."""
    tour = section(read(path), "Quick tour")
    blocks = "\n".join(re.findall(r"^```(?:bash|sh|console)?\n(.*?)^```", tour, re.M | re.S))
    return set(re.findall(r"^\s*(?:\S*/)?crm-xl\s+([a-z][\w-]*)", blocks, re.M))


def tour_problems(path: Path) -> list[str]:
    run = tour_commands(path)
    return [f"crm-xl {name} is not in the quick tour" for name in cli_commands() if name not in run]


def test_the_quick_tour_runs_every_cli_command() -> None:
    assert len(cli_commands()) >= 9  # (the introspection itself works: new, info, the jobs, excel-setup)
    assert tour_problems(README) == []


# --- no history --------------------------------------------------------------------------------------

HASH = re.compile(r"\b[0-9a-f]{7,40}\b")
HISTORY = re.compile(r"\bsessions?\b|\brounds? of work\b", re.I)


def history_problems(path: Path) -> list[str]:
    text = read(path)
    return ([f"a commit hash: {m.group()}" for m in HASH.finditer(text)]
            + [f"development history: {m.group()!r}" for m in HISTORY.finditer(text)])


def test_the_readme_tells_no_development_history() -> None:
    assert history_problems(README) == []


# --- paths -------------------------------------------------------------------------------------------

# an absolute path, starting a word (so not the path part of a URL, nor `~/…` on the user's computer,
# nor the rest of a relative path): /work/…, /tmp/…
ABSOLUTE = re.compile(r"""(?:^|(?<=[\s`("'=]))/(?:[\w.-]+/)*[\w.-]*[\w-]""", re.M)
ABOVE = re.compile(r"(?<![\w.])\.\./[\w./-]*")  # a path above the repository: ../shared/…
ALLOWED_ABOVE = {"architecture.md": ("../shared",)}  # the corpus tests' corpus, and that they skip without it


def path_problems(path: Path, name: str | None = None) -> list[str]:
    name = name or path.name
    text = read(path)
    problems = [f"{name}: absolute path {m.group()}" for m in ABSOLUTE.finditer(text)]
    allowed = ALLOWED_ABOVE.get(name, ())
    problems += [f"{name}: path outside the repository {m.group()}" for m in ABOVE.finditer(text)
                 if not (allowed and m.group().startswith(allowed))]
    return problems


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.name)
def test_the_docs_name_no_path_outside_the_repository(path: Path) -> None:
    assert path_problems(path) == []


def test_the_docs_are_there() -> None:
    assert {p.name for p in DOCS} >= {"architecture.md", "performance.md", "excel.md"}


def link_problems(path: Path) -> list[str]:
    """Relative Markdown links that point at no file of the repository."""
    problems = []
    for target in re.findall(r"\]\(([^)\s]+)\)", read(path)):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        if not (path.parent / target.split("#", 1)[0]).exists():
            problems.append(f"{path.name}: link to {target}, which does not exist")
    return problems


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.name)
def test_relative_links_resolve(path: Path) -> None:
    assert link_problems(path) == []


# --- each check fails on a broken copy ---------------------------------------------------------------

def _broken(tmp_path: Path, source: Path, old: str, new: str, name: str | None = None) -> Path:
    text = read(source)
    assert old in text, f"the sabotage needs {old!r} in {source.name}"
    copy = tmp_path / (name or source.name)
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def _row(code: str) -> str:
    return next(line for line in read(README).splitlines() if line.startswith(f"| `{code}`"))


@pytest.mark.parametrize(("old", "new", "expected"), [
    (_row("bad_nps") + "\n", "", "bad_nps (error) is missing"),
    ("| `entry_lag` | warning |", "| `entry_lag` | error |", "entry_lag is listed as error"),
    ("| error / warning |", "| warning / error |", "formula_no_value is listed as warning"),
    (_row("owner_mismatch"), _row("owner_mismatch") + "\n| `no_such_rule` | error | never |",
     "no_such_rule is in the rules table"),
    ("`bad_contact` / `bad_email`", "`bad_contact`", "bad_email (error) is missing"),
    (_row("duplicate"), _row("duplicate") + "\n" + _row("duplicate"), "duplicate is listed twice"),
    ("| `bad_contact` / `bad_email` |", "| `bad_phone` / `bad_email` |", "bad_phone is in the rules table"),
], ids=["row-dropped", "severity-changed", "pair-swapped", "unknown-code", "code-dropped-from-pair", "twice",
        "old-code-name"])
def test_the_rules_check_fails_on_a_broken_table(tmp_path: Path, old: str, new: str, expected: str) -> None:
    problems = rules_table_problems(_broken(tmp_path, README, old, new))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("command", ["excel-setup", "review", "info"])
def test_the_tour_check_fails_when_a_command_is_left_out(tmp_path: Path, command: str) -> None:
    tour = section(read(README), "Quick tour")
    line = next(line for line in tour.splitlines() if re.match(rf"\S*crm-xl {command} ", line))
    problems = tour_problems(_broken(tmp_path, README, line + "\n", ""))
    assert problems == [f"crm-xl {command} is not in the quick tour"]


def test_the_tour_check_counts_commands_in_its_code_only(tmp_path: Path) -> None:
    """A command named in the tour's prose but run nowhere does not count."""
    tour = section(read(README), "Quick tour")
    line = next(line for line in tour.splitlines() if re.match(r"\S*crm-xl review ", line))
    copy = _broken(tmp_path, README, line + "\n", "")
    copy.write_text(read(copy).replace("## Quick tour\n", "## Quick tour\n\nThen try crm-xl review.\n", 1),
                    encoding="utf-8")
    assert tour_problems(copy) == ["crm-xl review is not in the quick tour"]


@pytest.mark.parametrize(("new", "expected"), [
    ("## Performance\n\nMeasured at commit 365e39a.\n", "a commit hash: 365e39a"),
    ("## Performance\n\nThis session's figures.\n", "development history: 'session'"),
    ("## Performance\n\nAs the last round of work found.\n", "development history: 'round of work'"),
], ids=["hash", "session", "round-of-work"])
def test_the_history_check_fails_on_history(tmp_path: Path, new: str, expected: str) -> None:
    problems = history_problems(_broken(tmp_path, README, "## Performance\n", new))
    assert expected in problems, problems


@pytest.mark.parametrize(("doc", "new", "expected"), [
    ("performance.md", "Run it from /work/main/benchmarks.", "absolute path /work/main/benchmarks"),
    ("performance.md", "The data went to `/tmp/tour/out`.", "absolute path /tmp/tour/out"),
    ("excel.md", "See ../shared/DESIGN.md.", "path outside the repository ../shared/DESIGN.md"),
    ("architecture.md", "See ../other/notes.md.", "path outside the repository ../other/notes.md"),
    ("README.md", "The corpus is in ../shared/fidelity.", "path outside the repository ../shared/fidelity"),
])
def test_the_path_check_fails_on_a_path_outside(tmp_path: Path, doc: str, new: str, expected: str) -> None:
    source = README if doc == "README.md" else ROOT / "docs" / doc
    copy = _broken(tmp_path, source, "\n\n", f"\n\n{new}\n\n")
    assert any(expected in p for p in path_problems(copy, doc)), path_problems(copy, doc)


def test_architecture_md_may_name_the_shared_corpus() -> None:
    assert "../shared" in read(ROOT / "docs" / "architecture.md")
    assert path_problems(ROOT / "docs" / "architecture.md") == []


def test_the_link_check_fails_on_a_missing_file(tmp_path: Path) -> None:
    copy = _broken(tmp_path, README, "(docs/excel.md)", "(docs/no-such-page.md)")
    assert "README.md: link to docs/no-such-page.md, which does not exist" in link_problems(copy)
