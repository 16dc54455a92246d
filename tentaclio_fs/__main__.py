"""``python -m tentaclio_fs``: the same as the ``tentaclio-fs`` command."""

from .cli import main

main(prog_name="tentaclio-fs")
