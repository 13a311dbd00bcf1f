"""The CLI imports only the subcommand it runs, and its help lines agree with the modules'."""

import importlib
import json
import subprocess
import sys

import pytest

from rfsym import __version__
from rfsym.cli import COMMANDS, build_parser, main


def _help_lines(parser):
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return {action.dest: action.help for action in sub._choices_actions}


def test_the_listed_help_lines_are_the_modules_own():
    lines = _help_lines(build_parser())  # every module imported
    assert lines == COMMANDS


def test_a_stub_line_is_used_for_commands_not_run():
    assert _help_lines(build_parser(["derive"])) == COMMANDS


def _modules_loaded(*args: str) -> set[str]:
    code = (
        "import sys, json, contextlib, io\n"
        "from rfsym.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main({list(args)!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


@pytest.mark.parametrize("args", [("derive", "--help"), ("derive",), ("report", "vgg_16")])
def test_a_subcommand_does_not_load_the_others_dependencies(args):
    loaded = _modules_loaded(*args)
    assert "hypothesis" not in loaded and "numpy" not in loaded
    assert not any(name.startswith("rfsym.whatif") for name in loaded)


def test_the_probe_sees_a_subcommand_that_does_load_them():
    """Twin: the whole parser (argv None) imports every subcommand, numpy included (whatif)."""
    code = "import sys; from rfsym.cli import build_parser; build_parser(); print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"rfsym {__version__}"


def test_every_listed_command_has_a_module():
    for name in COMMANDS:
        assert hasattr(importlib.import_module(f"rfsym.commands.{name}"), "add_parser")
