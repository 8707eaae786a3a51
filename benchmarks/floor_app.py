"""The coach app plus one logged-in POST route that does nothing: the floor every submission
stands on (session cookie, CSRF check, user load, redirect), measured under the same gunicorn
so the report can say how much of a submission's cost is the framework's and how much is ours."""

from flask import redirect
from flask_login import login_required
from werkzeug.wrappers import Response

from app import create_app

app = create_app()


@app.post("/bench/nothing")
@login_required
def nothing() -> Response:
    return redirect("/")
