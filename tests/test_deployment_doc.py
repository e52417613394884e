"""docs/deployment.md stays true to the code: every ``CONEX_*`` it names is a setting, every
``conex-gateway`` command and option it names exists, its checklist names every setting
``CONEX_ENV=prod`` requires, and README links to it."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from gateway.cli import build_parser
from gateway.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "deployment.md"


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def settings_variables() -> set[str]:
    return {f"CONEX_{name.upper()}" for name in Settings.model_fields}


def test_every_setting_the_guide_names_exists() -> None:
    named = set(re.findall(r"\bCONEX_[A-Z0-9_]*[A-Z0-9]\b", guide()))
    assert named, "the guide names no setting"
    assert named - settings_variables() == set()


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _check_command(words: list[str]) -> None:
    parser = build_parser()
    path = ["conex-gateway"]
    while words and words[0] in _subcommands(parser):
        path.append(words[0])
        parser = _subcommands(parser)[words.pop(0)]
    options = set(parser._option_string_actions)
    for word in words:
        option = word.split("=", 1)[0]
        if option.startswith("--"):
            assert option in options, f"{' '.join(path)} has no option {option}"
    assert len(path) > 1 or any(w.startswith("--") for w in words), f"no command: {words}"


def _commands_in(text: str) -> list[list[str]]:
    found = []
    text = re.sub(r"\s*\n\s*", " ", text)  # a command may be wrapped over two lines
    for match in re.finditer(r"conex-gateway((?:[ \t]+[^\s`|;()]+)*)", text):
        words = [w.strip("[]…,.:") for w in match.group(1).split()]
        found.append([w for w in words if w])
    return found


def test_every_command_and_option_the_guide_names_exists() -> None:
    commands = _commands_in(guide())
    named = {words[0] for words in commands if words}
    assert {"serve", "migrate", "send-mail", "token", "purge-idempotency-keys"} <= named
    for words in commands:
        if not words or (
            not words[0].startswith("--") and words[0] not in _subcommands(build_parser())
        ):
            continue  # prose: "`conex-gateway` (installed by the package …"
        _check_command(words)


def _all_options(parser: argparse.ArgumentParser) -> set[str]:
    options = set(parser._option_string_actions)
    for sub in _subcommands(parser).values():
        options |= _all_options(sub)
    return options


def test_every_option_the_guide_names_belongs_to_a_command() -> None:
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", guide()))
    assert "--graceful-timeout" in named
    assert named - _all_options(build_parser()) == set()


def test_the_command_check_catches_a_wrong_option() -> None:
    with pytest.raises(AssertionError, match="has no option --proxy-header"):
        _check_command(["serve", "--proxy-header"])
    with pytest.raises(AssertionError, match="send-mail has no option --loop"):
        _check_command(["send-mail", "--loop"])


def test_the_checklist_names_every_setting_prod_requires(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(settings_variables()):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONEX_ENV", "prod")
    required = ["CONEX_ENV"]
    values = {
        "CONEX_SECRET_KEY": "k" * 40,
        "CONEX_PUBLIC_URL": "https://api.conex.example",
        "CONEX_WEB_URL": "https://my.conex.example",
    }
    for _ in range(len(Settings.model_fields)):
        try:
            load_settings()
            break
        except SettingsError as exc:
            name = str(exc).split(":", 1)[0]
            assert name in values, f"prod requires {name}: add it to this test and the guide"
            required.append(name)
            monkeypatch.setenv(name, values[name])
    checklist = guide().split("## Production settings checklist", 1)[1].split("\n## ", 1)[0]
    for name in required:
        assert f"- [ ] `{name}" in checklist, f"{name} is not in the checklist"


def test_readme_links_the_guide_and_the_guide_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/deployment.md)" in readme
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", guide()):
        if not target.startswith(("http://", "https://")):
            assert (GUIDE.parent / target).exists(), target
