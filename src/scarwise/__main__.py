"""``python -m scarwise``."""

from scarwise.cli.main import run

if __name__ == "__main__":
    run()
