"""The benchmark (``make bench``): see ``bench/run.py --help`` and ``bench/RESULTS.md``."""
