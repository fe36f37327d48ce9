"""The man page (docs/calcli.1), generated from the same help texts as docs/commands.md.

    python -m calcli.cli.mangen > docs/calcli.1      # or: make docs

Installed with the package as share/man/man1/calcli.1 (``man calcli`` in the venv's prefix).
"""

from __future__ import annotations

import sys

import click

from calcli import __version__
from calcli.cli import docgen

ENVIRONMENT = [
    ("CALCLI_PROJECT", "The project folder, when --project is not given."),
    ("CALCLI_USER", "Act as this user, when --user is not given (above the project's user)."),
    ("CALCLI_FORMAT", "The output format, when --format is not given (above calcli.toml and the user config)."),
    ("CALCLI_LOCK_TIMEOUT", "Seconds to wait for another calcli before exit 4."),
    ("XDG_CONFIG_HOME", "The user config is $XDG_CONFIG_HOME/calcli/config.toml (default ~/.config)."),
    ("NO_COLOR", "No colour in tables."),
]
EXIT_STATUS = [
    ("0", "success (an empty result is a success)"),
    ("1", "unexpected error"),
    ("2", "usage error: a bad flag or argument (an unknown --tz, a bad --since, a bad --format)"),
    ("3", "invalid input data: a file or value failed validation, or a FILE is missing; nothing was written"),
    ("4", "busy: another calcli holds the project; nothing was written"),
    ("5", "partly done: some rows or items were refused (reported one by one); the rest was done"),
    ("130", "interrupted"),
]


def esc(text: str) -> str:
    """Text as roff shows it: backslashes doubled, a leading dot or quote guarded, dashes literal."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)
    lines = [("\\&" + line if line[:1] in (".", "'") else line) for line in text.split("\n")]
    return "\n".join(lines)


def _options(cmd: click.Command) -> list[str]:
    out = []
    for p in docgen.visible_params(cmd):
        if isinstance(p, click.Argument):
            names = p.make_metavar(click.Context(cmd))
        else:
            names = ", ".join([*p.opts, *p.secondary_opts])
        out += [".TP", f"\\fB{esc(names)}\\fR", esc(" ".join(docgen.param_help(cmd, p).split()) or "-")]
    return out


def render() -> str:
    root = docgen.root_command()
    out = [
        f'.TH CALCLI 1 "" "calcli {__version__}" "User Commands"',
        ".SH NAME",
        "calcli \\- a content calendar for video creators, in plain YAML files kept in git",
        ".SH SYNOPSIS",
        "\\fBcalcli\\fR [\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
        esc(docgen.command_help(root)),
        ".SH COMMANDS",
    ]
    for path, cmd in docgen.walk(root):
        if len(path) == 1 or isinstance(cmd, click.Group):
            continue
        out += [f".SS {esc(' '.join(path))}", f"\\fB{esc(docgen._usage(cmd, path))}\\fR", ".PP"]
        out += [esc(par.strip()) + "\n.PP" for par in docgen.command_help(cmd).split("\n\n") if par.strip()]
        out += _options(cmd)
    out.append(".SH ENVIRONMENT")
    for name, text in ENVIRONMENT:
        out += [".TP", f"\\fB{name}\\fR", esc(text)]
    out += [
        ".SH FILES",
        ".TP",
        "\\fBcalcli.toml\\fR",
        "The project: user, time zone, store; [output] format.",
        ".TP",
        "\\fB$XDG_CONFIG_HOME/calcli/config.toml\\fR",
        esc("The user config: user, timezone (calcli init's defaults) and format."),
        ".SH PRECEDENCE",
        esc(
            "A setting comes from the first of: the command's flag, the environment (CALCLI_USER, CALCLI_FORMAT), "
            "the project's calcli.toml, the user config, calcli's default."
        ),
        ".SH EXIT STATUS",
    ]
    for code, text in EXIT_STATUS:
        out += [".TP", f"\\fB{code}\\fR", esc(text)]
    out += [".SH SEE ALSO", "docs/commands.md and README.md in the calcli repository."]
    return "\n".join(out) + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
