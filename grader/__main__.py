"""``python -m grader``: the ``dlx`` command, for when the script is not on PATH."""
import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while dlx is still loading: the same one line as later on
    from .errors import INTERRUPT_EXIT, Interrupted

    print(f"dlx: {Interrupted().message}", file=sys.stderr)
    sys.exit(INTERRUPT_EXIT)

if __name__ == "__main__":
    main(prog_name="dlx")
