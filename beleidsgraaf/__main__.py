"""``python -m beleidsgraaf`` is the same as the ``beleidsgraaf`` console script."""

from beleidsgraaf.api.cli import main

main()
