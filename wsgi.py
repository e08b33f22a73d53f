"""WSGI entry point: `gunicorn wsgi:app`, and `flask` finds the app here through .flaskenv."""

from tracker import create_app

app = create_app()
