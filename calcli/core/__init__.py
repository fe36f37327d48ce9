"""The domain: the seed's entities and statuses, platforms, errors with their exit codes, time and
blackout rules. Imports nothing of calcli outside itself, and nothing heavy."""
