"""Runs a command and prints its exit status, so tests can check it exactly.

Usage: exit-code.py COMMAND [ARGS...]; stdout and stderr pass through, then
"exit code N" is printed on stdout. Always exits 0.
"""
import subprocess
import sys

status = subprocess.call(sys.argv[1:])
sys.stdout.flush()
print(f"exit code {status}")
