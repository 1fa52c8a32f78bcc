# Undoes `gnt-cluster init` (or a node's preparation for `gnt-node add`, once
# it left the cluster): destroys the cluster (when it still has its
# configuration), stops Ganeti's daemons (the destroy leaves some running, such
# as ganeti-metad on port 80), then puts back the directories Ganeti made or
# took over: each one that was absent before goes when it is empty, each one
# that was there gets its mode and owner back.
# argv: then-state of each directory, as PATH=absent or PATH=MODE:UID:GID (octal
# mode), read before the init. Exit 0; 1 (one line) when the destroy fails.
import os, subprocess, sys
from common import fail

config = '/var/lib/ganeti/config.data'
if os.path.exists(config):
    result = subprocess.run(['gnt-cluster', 'destroy', '--yes-do-it'], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f'gnt-cluster destroy failed: {(result.stderr or result.stdout).strip().splitlines()[-1:]}; fix it, then undo again')
subprocess.run(['service', 'ganeti', 'stop'], capture_output=True)

found = [argument.split('=', 1) for argument in sys.argv[1:]]
# Deepest first: a directory goes only once what Ganeti made inside it went.
for path, then in sorted(found, key=lambda entry: -len(entry[0])):
    if not os.path.isdir(path):
        continue
    if then == 'absent':
        # The job queue's lock: an empty file Ganeti's daemons make and never remove.
        lock = os.path.join(path, 'lock')
        if os.listdir(path) == ['lock'] and os.path.isfile(lock) and os.path.getsize(lock) == 0:
            os.unlink(lock)
        if not os.listdir(path):
            os.rmdir(path)
            print(f'removed {path}')
        continue
    mode, uid, gid = then.split(':')
    os.chown(path, int(uid), int(gid))
    os.chmod(path, int(mode, 8))
