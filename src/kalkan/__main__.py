"""Allow ``python -m kalkan``."""

from kalkan.cli import main

main()
