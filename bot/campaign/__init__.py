"""Campaign tools (issue #14): attribution sources, aggregate figures, opt-in broadcasts."""
