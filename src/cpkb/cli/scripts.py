"""cpkb's completion for bash and zsh: Typer's, except that file names are offered only where
a file is wanted, and that bash quotes what it inserts.

Typer's bash script is registered with `complete -o default`, and its zsh answer is `_files`
whenever nothing matched: so after a completed entity (`cpkb show adal-azamat <Tab>`) the
shell offered the files of the folder. cpkb's bash script asks readline to quote completions
(`compopt -o filenames`), so a name with spaces is inserted as one word (`show "Adal Az<Tab>`
completes), and falls back to file names only when the program answers FILES. These classes
are Click's completion API (`add_completion_class`), registered on every run (`register`)
because Typer registers its own each time it builds the app.
"""

from __future__ import annotations

import os

from typer import _completion_shared
from typer._click.shell_completion import CompletionItem, add_completion_class
from typer._completion_classes import BashComplete, ZshComplete

from cpkb.cli.completion import SCRIPT_ENV, SCRIPT_VERSION, Asked

FILES = ":files"  # the bash script's cue: complete file names here (never a candidate: ':')
BASH_SCRIPT = f"""
%(complete_func)s() {{
    local IFS=$'\\n'
    local found
    found=( $( env COMP_WORDS="${{COMP_WORDS[*]}}" \\
                   COMP_CWORD=$COMP_CWORD {SCRIPT_ENV}={SCRIPT_VERSION} \\
                   %(autocomplete_var)s=complete_bash $1 ) )
    COMPREPLY=()
    if [[ ${{found[0]}} == '{FILES}' ]]; then
        compopt -o default
    elif (( ${{#found[@]}} )); then
        compopt -o filenames
        COMPREPLY=( "${{found[@]}}" )
    fi
    return 0
}}

complete -F %(complete_func)s %(prog_name)s
"""


def wants_files(items: list[CompletionItem]) -> bool:
    """Whether the shell should complete file names: a path is asked for, or nothing matched
    a parameter that cpkb does not complete itself."""
    return any(i.type in ("file", "dir") for i in items) or (not items and not Asked.no_files)


class CpkbBash(BashComplete):
    source_template = BASH_SCRIPT

    def complete(self) -> str:
        if os.environ.get(SCRIPT_ENV) != SCRIPT_VERSION:  # Typer's script, installed earlier
            return super().complete()
        args, incomplete = self.get_completion_args()
        items = self.get_completions(args, incomplete)
        if wants_files(items):
            return FILES
        return "\n".join(self.format_completion(item) for item in items)


class CpkbZsh(ZshComplete):
    def complete(self) -> str:
        answer = super().complete()
        if answer == "_files" and not wants_files([]):
            return "_message 'no match'"
        return answer


def register() -> None:
    """Use cpkb's classes for this run: for completing, and for the script that
    `--install-completion` and `--show-completion` write (Typer's table of scripts)."""
    add_completion_class(CpkbBash, "bash")
    add_completion_class(CpkbZsh, "zsh")
    _completion_shared._completion_scripts["bash"] = BASH_SCRIPT
