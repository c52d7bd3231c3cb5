"""Pure decisions that every station, the CLI and the dashboard share: no store, no clock, no I/O."""
