"""Runs a command that must fail, and fail in time (never hang).

Usage: mpi_run.py TIMEOUT [--kill-rank R --after TEXT [--signal NAME]] -- COMMAND...
Runs COMMAND (an mpirun line) with its stderr merged into its stdout,
which is echoed. With --kill-rank, COMMAND's ranks must write their pid to
pid.<rank> in the working directory (sh -c 'echo $$ > pid.$OMPI_COMM_WORLD_RANK;
exec ./train ...'); once TEXT appears in the output, rank R is killed with
SIGKILL (or the signal NAME, e.g. TERM). Prints "exit status N" and exits 0 when COMMAND ended with a
non-zero status within TIMEOUT seconds; exits 1 when it succeeded or had
to be killed after TIMEOUT (a hang), or when TEXT never appeared.
"""
import os
import signal
import subprocess
import sys
import threading
import time

args = sys.argv[1:]
timeout = float(args.pop(0))
kill_rank, after, sig = None, None, signal.SIGKILL
while args[0] != "--":
    opt = args.pop(0)
    if opt == "--kill-rank":
        kill_rank = int(args.pop(0))
    elif opt == "--after":
        after = args.pop(0)
    elif opt == "--signal":
        sig = getattr(signal, "SIG" + args.pop(0))
    else:
        sys.exit("unknown option " + opt)
command = args[1:]

proc = subprocess.Popen(command, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, start_new_session=True)
lines = []
seen = threading.Event()


def reader():
    for raw in proc.stdout:
        line = raw.decode(errors="replace")
        lines.append(line)
        sys.stdout.write(line)
        sys.stdout.flush()
        if after is not None and after in line:
            seen.set()


t = threading.Thread(target=reader, daemon=True)
t.start()
deadline = time.time() + timeout
killed = False
if kill_rank is not None:
    while not seen.is_set() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    if not seen.is_set():
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        sys.exit("mpi_run: '%s' never appeared in the output (exit status %s)"
                 % (after, proc.poll()))
    pid = int(open("pid.%d" % kill_rank).read())
    os.kill(pid, sig)
    print("mpi_run: killed rank %d (pid %d) with %s" % (kill_rank, pid, signal.Signals(sig).name))
    killed = True
try:
    rc = proc.wait(timeout=max(0.0, deadline - time.time()))
except subprocess.TimeoutExpired:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    sys.exit("mpi_run: TIMEOUT after %g s: the job hung" % timeout)
t.join(5)
print("exit status %d" % rc)
if rc == 0:
    sys.exit("mpi_run: the command succeeded, but it should have failed")
