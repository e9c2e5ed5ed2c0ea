"""``python -m outage_sim``: the ``outage-sim`` command line."""

from outage_sim.cli import main

if __name__ == "__main__":
    main()
