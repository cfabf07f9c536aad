"""Subcommands of the `symbiosis` command, one module each with `add_parser(subparsers)` and `run(args) -> int`.

Entry points are the only code that may call both flows/ and matching/; they import them inside `run`.
"""

COMMAND_MODULES: tuple[str, ...] = ("validate", "metabolism", "match", "report", "generate", "template", "workshop")
