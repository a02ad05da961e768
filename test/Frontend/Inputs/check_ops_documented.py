"""Every built-in op that `dlc --list-ops` prints is named in the README's
"Built-in ops" section (inside a code span), and every op marked there as
not compiled yet is marked so in the README too. Reads the list on stdin."""
import re
import sys

readme = open(sys.argv[1], encoding="utf-8").read()
match = re.search(r"^### Built-in ops\n(.*?)^#", readme, re.S | re.M)
if not match:
    sys.exit("README.md has no '### Built-in ops' section")
section = match.group(1)
words = set()
for span in re.findall(r"`([^`]*)`", section):
    words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span))

missing, unmarked = [], []
for line in sys.stdin:
    name = line.split("(", 1)[0].strip()
    if not name:
        continue
    if name not in words:
        missing.append(name)
    if "[not compiled yet]" in line:
        row = next((l for l in section.splitlines() if f"`{name}(" in l), "")
        if "not yet" not in row:
            unmarked.append(name)
for name in missing:
    print(f"error: built-in op '{name}' is not in README.md's Built-in ops")
for name in unmarked:
    print(f"error: '{name}' is not compiled yet but README.md does not say so")
if missing or unmarked:
    sys.exit(1)
print("all built-in ops documented")
