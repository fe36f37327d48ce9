"""JSON Schemas for the files calcli reads (shipped as package data; see calcli schema)."""
