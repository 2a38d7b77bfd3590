"""``python -m grader``: the ``dlx`` command, for when the script is not on PATH (Ctrl-C while it loads: one line)."""
try:
    from .cli import main
except KeyboardInterrupt:
    from .errors import exit_interrupted

    exit_interrupted()

if __name__ == "__main__":
    main(prog_name="dlx")
