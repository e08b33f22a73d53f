"""Reads: rows -> figures. The one composition every page, chart, export and API route uses.

Each module loads what a surface shows in a fixed number of statements and turns it into
figures through `figures` (pure), so the same engineer, role and date give the same number
everywhere. Reads never import a blueprint and never write.
"""
