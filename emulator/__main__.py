"""`python -m emulator` starts the server, like `iotc-emulator`."""

from emulator.cli import main

main()
