"""The Compose Spec as docker compose v2 reads it: variables and ``.env`` (interpolation.py,
dotenv.py), the model a Compose file normalises to and each service's config hash (model.py).

What compose writes on what it makes (its labels, the hash) is what lets compose and dockmagic
act on one another's projects; ``docker compose config`` is the judge of the model (tests)."""
