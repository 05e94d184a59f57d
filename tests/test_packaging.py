"""Packaging: production runs the production set only, and the image holds what production runs.

The image cannot be built here (no docker engine), so these tests read what decides it: the two
locked sets, the Dockerfile, the build context that .dockerignore lets through, and the imports of
every Python file in that context.
"""

from __future__ import annotations

import ast
import gettext
import importlib
import importlib.metadata
import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import require

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_SET = ROOT / "requirements" / "production.txt"
DEVELOPMENT_SET = ROOT / "requirements" / "development.txt"
DOCKERFILE = ROOT / "Dockerfile"
# Tools that must never reach production; the embedded default's SQLAlchemy transport neither.
DEVELOPMENT_ONLY = [
    "pytest", "pytest-django", "pytest-xdist", "factory-boy", "faker", "time-machine", "hypothesis",
    "playwright", "axe-playwright-python", "aiosmtpd", "ruff", "mypy", "django-stubs", "celery-types",
    "import-linter", "pyyaml", "sqlalchemy", "uv",
]  # fmt: skip


def _script(name: str) -> ModuleType:
    """A module of scripts/, loaded from its file (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_tandem_scripts_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build_context = _script("build_context")
messages = _script("messages")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """name → version of a compiled set (`name==version ; marker` lines)."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement = line.split(";", 1)[0].strip()
        name, separator, version = requirement.partition("==")
        assert separator, f"{path.name}: {line!r} is not an exact pin"
        found[canonical(name)] = version.strip()
    return found


def _requirement_name(requirement: str) -> str:
    return canonical(re.split(r"[\s\[<>=!~;(]", requirement, maxsplit=1)[0])


# --- The two sets


def test_production_set_has_no_development_tools():
    leaked = sorted(set(DEVELOPMENT_ONLY) & set(pins(PRODUCTION_SET)))
    assert not leaked, f"requirements/production.txt holds development packages: {leaked}"


def test_development_set_has_the_tools_and_the_embedded_transport():
    missing = sorted(set(DEVELOPMENT_ONLY) - set(pins(DEVELOPMENT_SET)))
    assert not missing, f"requirements/development.txt lacks {missing}"


def test_development_set_runs_the_versions_production_runs():
    development = pins(DEVELOPMENT_SET)
    differ = {name: (version, development.get(name)) for name, version in pins(PRODUCTION_SET).items()
              if development.get(name) != version}  # fmt: skip
    assert not differ, f"production and development pin differently: {differ}"


def test_sets_are_compiled_from_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    production, development = pins(PRODUCTION_SET), pins(DEVELOPMENT_SET)
    for requirement in project["dependencies"]:
        assert _requirement_name(requirement) in production, f"{requirement} is not in the production set"
    for requirement in project["optional-dependencies"]["dev"]:
        assert _requirement_name(requirement) in development, f"{requirement} is not in the development set"


def test_nothing_refers_to_the_old_single_lock():
    for name in ("Makefile", ".ci/run", "Dockerfile", "README.md"):
        assert "requirements.lock" not in (ROOT / name).read_text(), f"{name} still uses requirements.lock"


def test_make_install_installs_the_development_set_and_compiles_the_catalogues(tmp_path):
    require(shutil.which("make") is not None, "make")
    # -n prints what a fresh clone's `make install` would run, without running it.
    dry_run = subprocess.run(
        ["make", "-n", "install", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "-r requirements/development.txt" in dry_run
    assert "production.txt" not in dry_run
    assert "scripts/messages.py compile" in dry_run


# --- The Dockerfile


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile as stages of (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", "\n".join(
        line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")
    ))  # fmt: skip
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        instruction, _, arguments = line.strip().partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        assert stages, "the Dockerfile must start with FROM"
        stages[-1].append((instruction.upper(), " ".join(arguments.split())))
    return stages


def _runs(stage: list[tuple[str, str]]) -> list[str]:
    return [arguments for instruction, arguments in stage if instruction == "RUN"]


def test_image_installs_the_production_set_and_nothing_else():
    stages = dockerfile_stages()
    copied = [
        args for stage in stages for instruction, args in stage if instruction == "COPY" and "requirements" in args
    ]
    assert copied and all(args.split()[0] == "requirements/production.txt" for args in copied), copied
    installs = [run for stage in stages for run in _runs(stage) if re.search(r"\bpip\b.*\binstall\b", run)]
    assert installs, "the Dockerfile installs nothing"
    for run in installs:
        for command in re.split(r"&&|;", run):
            words = shlex.split(command)
            if "pip" not in words or "install" not in words:
                continue
            arguments = words[words.index("install") + 1 :]
            assert "--no-deps" in arguments, f"install the locked set exactly: {command}"
            packages, files = [], []
            while arguments:
                word = arguments.pop(0)
                if word in ("-r", "--requirement"):
                    files.append(arguments.pop(0))
                elif not word.startswith("-"):
                    packages.append(word)
            assert files and all(f.endswith("production.txt") for f in files), command
            assert not packages, f"the image installs packages outside the production set: {packages}"


def test_no_stage_installs_system_build_tools():
    for stage in dockerfile_stages():
        for run in _runs(stage):
            assert not re.search(r"\b(gettext|gcc|g\+\+|build-essential|make|git)\b", run), run


def test_final_stage_starts_clean_and_copies_the_build():
    *builds, final = dockerfile_stages()
    assert builds, "the image is built in stages"
    assert final[0][1].startswith("python:3.11-slim"), "the final stage starts from the slim base, not a build stage"
    assert not any(re.search(r"\bpip\b", run) for run in _runs(final)), "the final stage installs no Python package"
    # Only the libraries WeasyPrint (the report's PDF) lays out text with, and a font, at run time.
    runtime = {"libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"}
    for run in _runs(final):
        if "apt-get install" in run:
            packages = set(re.findall(r"\b(?:lib[\w.+-]+|fonts-[\w-]+)\b", run.split("apt-get install", 1)[1]))
            assert packages <= runtime, packages - runtime
    copies = [args for instruction, args in final if instruction == "COPY"]
    assert any(args.startswith("--from=") and "/opt/venv" in args for args in copies)
    assert any(args.startswith("--from=") and args.endswith("/app /app") for args in copies)
    assert not any(not args.startswith("--from=") for args in copies), "the final stage takes everything from the build"


def test_build_compiles_the_catalogues_and_collects_static_files():
    build = dockerfile_stages()[0]
    steps = [instruction + " " + args for instruction, args in build]
    source = steps.index("COPY . .")
    compiled = [i for i, step in enumerate(steps) if "scripts/messages.py compile" in step]
    collected = [i for i, step in enumerate(steps) if "manage.py collectstatic" in step]
    assert compiled and compiled[0] > source, "the build compiles the catalogues from the copied .po files"
    assert collected and collected[0] >= compiled[0], "static files are collected with the catalogues in place"


def test_image_runs_gunicorn_as_a_user_without_privileges():
    final = dockerfile_stages()[-1]
    users = [args for instruction, args in final if instruction == "USER"]
    assert users and users[-1] not in ("root", "0"), "the image must not run as root"
    instructions = [instruction for instruction, _ in final]
    assert instructions.index("USER") < instructions.index("CMD")
    command = [args for instruction, args in final if instruction == "CMD"][-1]
    assert "gunicorn" in command and "tandem.wsgi:application" in command


# --- The build context


@pytest.fixture(scope="module")
def context():
    return build_context.Context(ROOT)


@pytest.mark.parametrize(
    "path",
    [
        ".venv/lib/python3.11/site-packages/django/__init__.py", ".git/HEAD", ".git", ".env",
        "var/tandem.sqlite3", "tests/conftest.py", "tests/bench/test_bench_command.py", "test-artifacts/x.png",
        "bench/seed.py", "tandem/bench/seed.py", "tandem/management/commands/bench.py", "bench-results-1.json",
        "scripts/loadrun.py", "requirements/development.txt", "staticfiles/css/tandem.css",
        "accounts/locale/de/LC_MESSAGES/django.mo", "tandem/__pycache__/settings.cpython-311.pyc", ".ci/run",
    ],
)  # fmt: skip
def test_context_leaves_out(context, path):
    assert context.excluded(path)


@pytest.mark.parametrize(
    "path",
    [
        "manage.py", "tandem/settings.py", "tandem/wsgi.py", "tandem/celery.py", "accounts/models.py",
        "mentoring/services.py", "supervision/views.py", "templates/base.html", "static/css/tandem.css",
        "locale/de/LC_MESSAGES/django.po", "tandem/notifications/locale/de/LC_MESSAGES/django.po",
        "requirements/production.txt", "scripts/messages.py",
    ],
)  # fmt: skip
def test_context_keeps(context, path):
    assert not context.excluded(path)


def test_context_matching_follows_docker(tmp_path):
    (tmp_path / ".dockerignore").write_text("# comment\n*.md\n**/*.pyc\nscripts\n!scripts/keep.py\ndocs/\n")
    context = build_context.Context(tmp_path)
    assert context.excluded("README.md") and not context.excluded("docs2/README.md"), "patterns are anchored"
    assert context.excluded("a/b/c.pyc") and context.excluded("c.pyc"), "**/ reaches every directory"
    assert context.excluded("scripts/other.py") and not context.excluded("scripts/keep.py"), "! takes a path back"
    assert context.excluded("docs/x/y.png"), "an excluded directory takes everything inside it"


def test_every_installed_app_ships_in_the_image(context):
    installed = importlib.import_module("tandem.settings").INSTALLED_APPS
    missing = []
    for app in installed:
        path = ROOT.joinpath(*app.split("."))
        if path.is_dir() and context.excluded(path.relative_to(ROOT).as_posix()):
            missing.append(app)
    assert not missing, f"installed apps the image leaves out: {missing}"


def _imports(path: Path) -> set[str]:
    """Every absolute module an import statement of the file names (`from a import b` gives a and a.b)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _first_party(module: str) -> Path | None:
    """The file or package directory of the repository that module names, or None."""
    parts = module.split(".")
    found = None
    for depth in range(1, len(parts) + 1):
        base = ROOT.joinpath(*parts[:depth])
        if base.with_suffix(".py").is_file():
            return base.with_suffix(".py")
        if not base.is_dir():
            break
        found = base
    return found


def test_every_import_in_the_image_resolves_from_the_production_set(context):
    production = set(pins(PRODUCTION_SET))
    distributions = importlib.metadata.packages_distributions()
    files = [path for path in context.files() if path.suffix == ".py"]
    assert any(path.name == "settings.py" for path in files), "the context holds no application code"
    problems = []
    for path in files:
        where = path.relative_to(ROOT)
        for module in sorted(_imports(path)):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names:
                continue
            local = _first_party(module)
            if local is not None:
                if context.excluded(local.relative_to(ROOT).as_posix()):
                    problems.append(f"{where}: {module} is left out of the image")
                continue
            if (ROOT / top).exists() or (ROOT / f"{top}.py").exists():
                continue  # a name inside a first-party package (`from tandem import views`)
            owners = {canonical(name) for name in distributions.get(top, [])}
            if not owners:
                problems.append(f"{where}: {module} comes from no installed distribution")
            elif not owners & production:
                problems.append(f"{where}: {module} comes from {sorted(owners)}, not in the production set")
    assert not problems, "\n".join(sorted(set(problems)))


# --- Message catalogues


def test_no_compiled_catalogue_is_tracked():
    inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True, text=True)
    require(shutil.which("git") is not None and inside.stdout.strip() == "true", "a git checkout")
    tracked = subprocess.run(["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert tracked.stdout.split() == [], "compiled catalogues are built, not committed"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "--no-index", "accounts/locale/de/LC_MESSAGES/django.mo"], cwd=ROOT
    )
    assert ignored.returncode == 0, ".gitignore must ignore *.mo"


PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Tandem ended"
msgstr "Tandem beendet"

#, fuzzy
msgid "Draft"
msgstr "Entwurf"

msgid "one irritation"
msgid_plural "%(count)s irritations"
msgstr[0] "eine Irritation"
msgstr[1] "%(count)s Irritationen"
"""


def test_compile_finds_every_catalogue_of_the_repository_and_nothing_installed(tmp_path):
    for where in ("newapp", "tandem/newpart", "", ".venv/lib/somepackage", "var", "staticfiles", "node_modules/x"):
        catalogue = tmp_path / where / "locale" / "de" / "LC_MESSAGES" / "django.po"
        catalogue.parent.mkdir(parents=True)
        catalogue.write_text(PO, encoding="utf-8")
    compiled = messages.compile_catalogues(tmp_path)
    assert sorted(mo.relative_to(tmp_path).parts[0] for mo in compiled) == ["locale", "newapp", "tandem"]
    assert not (tmp_path / ".venv/lib/somepackage/locale/de/LC_MESSAGES/django.mo").exists()


def test_compiled_catalogue_holds_the_translations_and_leaves_out_fuzzy_ones(tmp_path):
    catalogue = tmp_path / "app" / "locale" / "de" / "LC_MESSAGES" / "django.po"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text(PO, encoding="utf-8")
    (mo,) = messages.compile_catalogues(tmp_path)
    with mo.open("rb") as handle:
        german = gettext.GNUTranslations(handle)
    assert german.gettext("Tandem ended") == "Tandem beendet"
    assert german.gettext("Draft") == "Draft"
    assert german.ngettext("one irritation", "%(count)s irritations", 3) == "%(count)s Irritationen"
