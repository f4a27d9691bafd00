"""Compose as docker compose v2 reads and runs it: variables and ``.env`` (interpolation.py,
dotenv.py), several files and ``extends`` (merge.py), the model a project normalises to and each
service's config hash (model.py), the create bodies (convert.py), and the project on an engine:
up, down, ps, ls by compose's labels (project.py).

What compose writes on what it makes (its labels, the hash) is what lets compose and dockmagic
act on one another's projects; compose itself is the judge, in the tests."""
