"""Settings: one validated object; flag > environment > reviewer.toml > default; mistakes are one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.models import RetrievalMode
from reviewer.settings import Settings, SettingsError


@pytest.fixture()
def clean_env(monkeypatch, tmp_path):
    """No REVIEWER_* variable from the outside, and a working directory of our own."""
    import os

    for name in list(os.environ):
        if name.startswith("REVIEWER_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_precedence_flag_over_env_over_file_over_default(clean_env, tmp_path):
    assert Settings.load().retrieval.k == 8  # the default
    (tmp_path / "reviewer.toml").write_text("[retrieval]\nk = 5\nmode = 'bm25'\n")
    assert Settings.load().retrieval.k == 5
    assert Settings.load().retrieval.mode is RetrievalMode.bm25
    clean_env.setenv("REVIEWER_RETRIEVAL__K", "6")
    assert Settings.load().retrieval.k == 6
    assert Settings.load().retrieval.mode is RetrievalMode.bm25  # the file still sets what env does not
    assert Settings.load(**{"retrieval.k": 7}).retrieval.k == 7
    assert Settings.load(**{"retrieval.k": None}).retrieval.k == 6  # a flag not given changes nothing


def test_config_file_named_by_environment(clean_env, tmp_path):
    other = tmp_path / "team.toml"
    other.write_text("collection = 'team'\n")
    clean_env.setenv("REVIEWER_CONFIG", str(other))
    assert Settings.load().collection == "team"


@pytest.mark.parametrize("overrides, named", [
    ({"retrieval.k": 0}, "retrieval.k"),
    ({"retrieval.mode": "bogus"}, "retrieval.mode"),
    ({"chunking.size": 50}, "chunking.size"),
    ({"chunking.overlap": 2000}, "overlap"),
    ({"llm_timeout": -1}, "llm_timeout"),
    ({"chroma_url": "localhost:8000"}, "chroma_url"),
])
def test_bad_values_are_refused_with_the_setting_named(clean_env, overrides, named):
    with pytest.raises(SettingsError) as err:
        Settings.load(**overrides)
    message = str(err.value)
    assert named in message and "\n" not in message


def test_assignment_is_validated_too(clean_env):
    settings = Settings.load()
    with pytest.raises(ValueError):
        settings.retrieval.k = 0
    with pytest.raises(ValueError):
        settings.retrieval.mode = "bogus"


def test_unknown_keys_in_the_config_file_are_refused(clean_env, tmp_path):
    (tmp_path / "reviewer.toml").write_text("[retrieval]\nkk = 3\n")
    with pytest.raises(SettingsError, match="retrieval.kk"):
        Settings.load()


@pytest.mark.parametrize("setup", ["env", "malformed", "typo"])
def test_cli_reports_a_configuration_mistake_in_one_line_with_exit_2(clean_env, tmp_path, setup):
    if setup == "env":
        clean_env.setenv("REVIEWER_RETRIEVAL__K", "abc")
    elif setup == "malformed":
        (tmp_path / "reviewer.toml").write_text("[retrieval\nk = 3\n")
    else:
        (tmp_path / "reviewer.toml").write_text("[retreival]\nk = 3\n")
    result = CliRunner().invoke(app, ["docs", "--store", str(tmp_path / "store")])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert "Traceback" not in result.output


def test_api_keys_come_from_the_setting_or_the_provider_variable(clean_env):
    clean_env.setenv("OPENAI_API_KEY", "from-env")
    assert Settings.load().api_key("openai") == "from-env"
    assert Settings.load(llm_api_key="explicit").api_key("openai") == "explicit"
    assert Settings.load().api_key("ollama") is None


def test_every_cli_command_has_help_text():
    import typer.main

    group = typer.main.get_group(app)
    for name, command in group.commands.items():
        assert command.help and len(command.help.split()) >= 5, f"`reviewer {name}` has no help text"
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert getattr(param, "help", None), f"`reviewer {name} {param.opts[0]}` has no help text"


def test_store_path_is_a_path(clean_env, tmp_path):
    assert Settings.load(store=str(tmp_path / "s")).store == Path(tmp_path / "s")
