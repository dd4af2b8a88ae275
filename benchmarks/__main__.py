import sys

from benchmarks import schooldays

if __name__ == "__main__":
    sys.exit(schooldays.main(sys.argv[1:]))
