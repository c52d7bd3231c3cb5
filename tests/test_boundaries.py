"""Project-wide guards: the core stays Qt-free, the code stays lint-clean, PySide6 does not leak None."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_core_never_imports_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, checkin\n"
        "for m in pkgutil.walk_packages(checkin.__path__, 'checkin.'):\n"
        "    if '.migrations' not in m.name and not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.startswith('PySide6'))\n"
        "print(' '.join(bad)); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rules_are_pure_decisions_that_touch_no_database() -> None:
    """checkin/rules/ is what every station, the CLI and the dashboard share: it must not reach for a store."""
    code = (
        "import sys, pkgutil, importlib, checkin.rules\n"
        "for m in pkgutil.walk_packages(checkin.rules.__path__, 'checkin.rules.'): importlib.import_module(m.name)\n"
        "print(' '.join(sorted(n for n in sys.modules if n.split('.')[0] == 'sqlalchemy' or n == 'checkin.store')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_checkin_help_loads_no_command_and_a_command_only_its_own_module() -> None:
    """`checkin --help` names every command without importing one; `checkin door` loads the door's module,
    not PDF, hub or import code (that is what keeps one-shot commands fast; see benchmarks/cli_start.py)."""
    code = (
        "import sys, contextlib, io\n"
        "from checkin.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit):\n"
        "    main(sys.argv[1:])\n"
        "assert 'usage: checkin' in out.getvalue(), out.getvalue()\n"
        "print(' '.join(sorted(n for n in sys.modules if n.split('.')[0] in ('checkin', 'sqlalchemy', 'reportlab',"
        " 'psycopg', 'alembic'))))\n"
    )
    listing = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert listing.returncode == 0, listing.stderr
    assert set(listing.stdout.split()) == {"checkin", "checkin.cli", "checkin.cli.common", "checkin.paths"}
    door = subprocess.run([sys.executable, "-c", code, "door", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert door.returncode == 0, door.stderr
    loaded = set(door.stdout.split())
    assert "checkin.cli.door" in loaded
    others = {"checkin.cli.rooms", "checkin.cli.desk", "checkin.cli.hub", "checkin.cli.reports", "checkin.importers"}
    assert not (others | {"reportlab", "psycopg", "alembic"}) & loaded


def test_the_ui_reads_through_the_cores_read_models_and_builds_no_query() -> None:
    importing = sorted(
        path.name
        for path in (ROOT / "ui").glob("*.py")
        if any(
            line.startswith(("import sqlalchemy", "from sqlalchemy"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert importing == []


def test_ruff_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout


def test_ruff_format_leaves_every_file_as_it_is() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout


def test_pyside6_does_not_over_release_none() -> None:
    """PySide6 6.12.0 on CPython 3.11 lowered None's refcount on every void call until the interpreter aborted."""
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "from PySide6.QtGui import QImage\n"
        "app = QApplication([])\n"
        "label = QLabel(); image = QImage(4, 4, QImage.Format.Format_RGB32)\n"
        "before = sys.getrefcount(None)\n"
        "for i in range(10000):\n"
        "    label.setText('x'); image.fill(0)\n"
        "print(before - sys.getrefcount(None))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) < 100
