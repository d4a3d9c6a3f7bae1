from shared.service import run
from uploads.app import build_app

if __name__ == "__main__":
    run(build_app)
