from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Only a CSRF token: signing out changes state, so it is a POST."""
