from drive_sim.cli import main

main()
