from outage_sim.cli import main

main()
