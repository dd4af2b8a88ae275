"""calendar/ must not shadow Python's standard calendar module (DEVELOPERS.md)."""
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_calendar_folder_is_not_a_package():
    assert not (ROOT / "calendar" / "__init__.py").exists()


def test_standard_modules_load_when_the_app_runs_from_the_repository_root():
    # `flask --app app` runs with the repository root first on sys.path, where
    # calendar/ lies; the standard module must still win.
    probe = """
import sys, sysconfig
from app import create_app
app = create_app({"DATABASE_URL": "sqlite://"})
import calendar, email.utils, http.cookiejar
stdlib = sysconfig.get_paths()["stdlib"]
for module in (calendar, email.utils, http.cookiejar):
    assert module.__file__.startswith(stdlib), (module.__name__, module.__file__)
assert calendar.monthrange(2024, 2) == (3, 29)
assert email.utils.parsedate_to_datetime("Mon, 23 Nov 2026 09:00:00 -0500").year == 2026
http.cookiejar.CookieJar()
import school_calendar.board_calendar
print("ok", calendar.__file__)
"""
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok " + sysconfig.get_paths()["stdlib"])


def test_flask_command_line_starts_from_the_repository_root():
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run([str(flask), "--app", "app", "schooldays", "--help"], cwd=ROOT,
                            capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite://"})
    assert result.returncode == 0, result.stderr
    assert "Count school days" in result.stdout
