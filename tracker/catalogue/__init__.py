"""The catalogue file: read (YAML or JSON) with line numbers, validate, import, export."""
