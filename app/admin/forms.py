from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

from app.models import Role


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[r.value for r in Role])


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token to check."""
