"""Shell completion plumbing: ``--show-completion SHELL`` and the zsh/fish output of many candidates.

typer 0.24's ``--show-completion`` is a flag that guesses the shell (``--show-completion zsh`` printed
the bash script); here it takes the shell by name. Its zsh and fish classes run each candidate's help
through Rich (for markup calcli's help texts never hold): 40,000 item ids took 20 s, so the
formatting is done here without it.
"""

from __future__ import annotations

import click
from click.shell_completion import add_completion_class
from typer import _completion_classes as typer_classes
from typer._completion_shared import get_completion_script

from calcli.cli.fastcomplete import fish_line, zsh_line

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


class ZshComplete(typer_classes.ZshComplete):
    def format_completion(self, item) -> str:
        return zsh_line(item.value, item.help or "")


class FishComplete(typer_classes.FishComplete):
    def format_completion(self, item) -> str:
        return fish_line(item.value, item.help or "")


def _show(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    click.echo(get_completion_script(prog_name="calcli", complete_var="_CALCLI_COMPLETE", shell=value))
    ctx.exit(0)


def install(root: click.Command) -> click.Command:
    """``--show-completion SHELL`` on the root command, and the fast zsh/fish classes."""
    add_completion_class(ZshComplete, "zsh")
    add_completion_class(FishComplete, "fish")
    for i, param in enumerate(root.params):
        if param.name == "show_completion":
            root.params[i] = click.Option(
                ["--show-completion"],
                type=click.Choice(SHELLS),
                metavar="SHELL",
                default=None,
                expose_value=False,
                is_eager=True,
                callback=_show,
                help="Print the completion script of SHELL (bash, zsh, fish, powershell), to install it yourself.",
            )
    return root
