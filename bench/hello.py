"""A Flask hello world: the anchor of the search API benchmark (issue 15)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> dict[str, str]:
    return {"hello": "world"}
