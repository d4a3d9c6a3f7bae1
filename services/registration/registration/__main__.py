from registration.app import build_app
from shared.service import run

run(build_app)
