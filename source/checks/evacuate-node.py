# Moves every instance a node is the primary of off it, before gnt-node remove:
# gnt-instance migrate, which fails a stopped instance over instead
# (--allow-failover: Ganeti 3.0's gnt-node migrate has no such flag). A DRBD
# instance goes to its secondary; the others (sharedfile, diskless) to the
# target node given.
# argv: node FQDN, target node FQDN. Exit 0 when none is left there; 1 (one
# line) when Ganeti cannot list them or a move fails.
import subprocess, sys
from common import fail

node, target = sys.argv[1:3]
listed = subprocess.run(['gnt-instance', 'list', '--no-headers', '--separator=|', '-o', 'name,disk_template', '--filter', f'pnode == "{node}"'], capture_output=True, text=True)
if listed.returncode != 0:
    fail(f'gnt-instance list failed: {listed.stderr.strip()}')
for line in listed.stdout.splitlines():
    name, template = (part.strip() for part in line.split('|'))
    where = [] if template == 'drbd' else ['-n', target]
    moved = subprocess.run(['gnt-instance', 'migrate', '-f', '--allow-failover', *where, name])
    if moved.returncode != 0:
        fail(f'{name} could not leave {node} (gnt-instance migrate exited {moved.returncode}): move it by hand (gnt-instance migrate or failover), then retry')
