"""python -m benchmarks [schooldays | grievances | web | load | all] [--quick] [options]

No selector runs schooldays (what `make bench` runs); `all` runs each in turn."""
import importlib
import sys

# Imported only when selected, so that one benchmark's dependencies never stop another.
BENCHMARKS = ("schooldays", "grievances", "web", "load")


def main(argv) -> int:
    names = [a for a in argv if not a.startswith("-")]
    options = [a for a in argv if a.startswith("-")]
    if len(names) > 1 or (names and names[0] not in (*BENCHMARKS, "all")):
        print(__doc__, file=sys.stderr)
        return 2
    selected = list(BENCHMARKS) if names == ["all"] else names or ["schooldays"]
    status = 0
    for name in selected:
        if len(selected) > 1:
            print(f"\n== {name}", flush=True)
        status = importlib.import_module(f"benchmarks.{name}").main(options) or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
