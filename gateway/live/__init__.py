"""Live updates (issue #15): committed changes fanned out to this process's subscribers."""
