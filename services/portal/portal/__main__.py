from portal.app import build_app
from shared.service import run

if __name__ == "__main__":
    run(build_app)
