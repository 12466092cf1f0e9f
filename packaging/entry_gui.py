"""The Windows shortcut's entry point: ``merchant-pos run`` without a console window
(``merchant-pos.exe`` beside it keeps the console for the command line)."""

import multiprocessing
import sys

from merchant_pos.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main(sys.argv[1:] or ["run"]))
