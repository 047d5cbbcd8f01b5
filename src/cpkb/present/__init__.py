"""Output: views (the JSON contract), human output (Rich), exports (DOT, Mermaid)."""
