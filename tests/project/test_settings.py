import subprocess
import sys

from django.conf import settings


def test_locale_and_timezone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def _run(env: dict) -> subprocess.CompletedProcess:
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='govsite.project.settings'; django.setup()"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_refuses_default_secret_without_debug(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "GOVSITE_DEBUG": "0", "GOVSITE_VAR_DIR": str(tmp_path)}
    result = _run(env)
    assert result.returncode != 0
    assert "GOVSITE_SECRET_KEY" in result.stderr


def test_runs_with_secret_and_hosts_without_debug(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "GOVSITE_DEBUG": "0", "GOVSITE_VAR_DIR": str(tmp_path),
           "GOVSITE_SECRET_KEY": "x" * 50, "GOVSITE_ALLOWED_HOSTS": "govsite.example"}
    result = _run(env)
    assert result.returncode == 0, result.stderr


def test_sqlite_default_uses_wal(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "GOVSITE_VAR_DIR": str(tmp_path)}
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='govsite.project.settings'; django.setup();"
            "from django.db import connection; c=connection.cursor(); c.execute('PRAGMA journal_mode');"
            "print(c.fetchone()[0])")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "wal", result.stderr
    assert (tmp_path / "govsite.sqlite3").exists()
