"""The bundle's one program, installed under two names: `checkin` is the terminal, `checkin-app` the window."""

import sys
from pathlib import Path


def main() -> int:
    if Path(sys.executable).name.lower().startswith("checkin-app"):
        from ui.app import main as open_app

        return open_app()
    from checkin.cli import run as run_command

    run_command()  # exits
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
