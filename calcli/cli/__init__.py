"""The command-line layer: parses, calls one core function, renders, maps errors."""
