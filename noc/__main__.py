"""``python -m noc`` runs the command line."""

from noc.cli import main

main()
