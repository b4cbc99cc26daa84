"""The ``rathaus`` command line: a click group on Flask's ``FlaskGroup``."""
