"""Settings read from the environment, and the `motcua` console command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from motcua.cli import main, normalise_argv

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def run_with_env(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", CHECK], env=environment, capture_output=True, text=True, check=False
    )


def test_production_mode_refuses_to_start_without_a_secret_key() -> None:
    result = run_with_env(MOTCUA_MODE="production", MOTCUA_SECRET_KEY="")
    assert result.returncode != 0
    assert "MOTCUA_SECRET_KEY" in result.stderr


def test_production_mode_refuses_debug() -> None:
    result = run_with_env(MOTCUA_MODE="production", MOTCUA_SECRET_KEY="x" * 50, MOTCUA_DEBUG="1")
    assert result.returncode != 0
    assert "MOTCUA_DEBUG" in result.stderr


def test_production_mode_starts_with_a_real_secret() -> None:
    result = run_with_env(MOTCUA_MODE="production", MOTCUA_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_check_deploy_is_clean_in_production_mode(tmp_path: Path) -> None:
    """`motcua check --deploy` with what production requires (decision 0036): no warning."""
    for folder, name in (("units", "hn-phuong-hoan-kiem.p12"), ("trust", "root.pem")):
        (tmp_path / "signing" / folder).mkdir(parents=True)
        (tmp_path / "signing" / folder / name).write_bytes(b"placeholder")  # the check looks
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DJANGO_"))},
        "MOTCUA_MODE": "production",
        "MOTCUA_SECRET_KEY": "production-like-secret-" + "Zq9#xW2!" * 6,
        "MOTCUA_AUDIT_KEY": "production-like-audit-key-" + "a1B2" * 6,
        "MOTCUA_DATABASE_URL": "postgres://motcua:secret@db.invalid:5432/motcua",  # not reached
        "MOTCUA_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("X-Forwarded-Proto: https", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("off", None),
        ("", None),
    ],
)
def test_the_proxy_ssl_header_setting(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: object
) -> None:
    from motcua.settings_env import proxy_ssl_header

    monkeypatch.setenv("MOTCUA_PROXY_SSL_HEADER", value)
    assert proxy_ssl_header("MOTCUA_PROXY_SSL_HEADER", "X-Forwarded-Proto: https") == expected


def test_a_malformed_proxy_ssl_header_is_refused() -> None:
    result = run_with_env(MOTCUA_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert result.returncode != 0
    assert "MOTCUA_PROXY_SSL_HEADER must look like" in result.stderr


def test_a_typo_in_a_boolean_setting_is_refused() -> None:
    result = run_with_env(MOTCUA_DEBUG="maybe")
    assert result.returncode != 0
    assert "MOTCUA_DEBUG must be true/false" in result.stderr


def test_hyphenated_command_names_map_to_django_commands() -> None:
    assert normalise_argv(["motcua", "load-units", "--x"]) == ["motcua", "load_units", "--x"]
    assert normalise_argv(["motcua", "--version"]) == ["motcua", "--version"]
    assert normalise_argv(["motcua", "help", "demo-data"]) == ["motcua", "help", "demo_data"]


@pytest.mark.django_db
def test_help_lists_our_commands(capsys: pytest.CaptureFixture[str]) -> None:
    main(["motcua", "help"])
    out = capsys.readouterr().out
    for name in ("load-units", "units", "demo-accounts", "serve"):
        assert f"  {name}" in out
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("  ")}
    assert "migrate" not in listed  # Django's own commands only with --all


def test_vietnamese_alphabetical_order() -> None:
    from motcua.common.text import vietnamese_key

    names = [
        "Ô Chợ Dừa",
        "Đống Đa",
        "Chương Mỹ",
        "Cầu Giấy",
        "Dương Nội",
        "Ba Đình",
        "Ứng Hòa",
        "Ứng Thiên",
        "Bạch Mai",
    ]
    assert sorted(names, key=vietnamese_key) == [
        "Ba Đình", "Bạch Mai", "Cầu Giấy", "Chương Mỹ", "Dương Nội", "Đống Đa", "Ô Chợ Dừa",
        "Ứng Hòa", "Ứng Thiên",
    ]  # fmt: skip
