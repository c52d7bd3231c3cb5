from checkin.cli import run

run()
