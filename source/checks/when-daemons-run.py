# Runs a gnt-* command only when Ganeti's master daemons run: with them down
# (after a reboot) every gnt-* query waits 30 s for an answer before it fails,
# and a probe needs only the "no" at once.
# argv: the command. Exit 1 (one line) when a daemon is not running, else the
# command's exit code (its stdout passed on).
import subprocess, sys
from common import fail

for daemon in ('ganeti-wconfd', 'ganeti-luxid'):
    if subprocess.run(['/usr/lib/ganeti/daemon-util', 'check', daemon]).returncode != 0:
        fail(f'{daemon} is not running')
result = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
sys.stdout.write(result.stdout.decode(errors='replace'))
sys.exit(result.returncode)
