# What /var/lib/ganeti holds: nothing, the recipe's cluster (complete, or an
# init that was interrupted after it wrote config.data), or another cluster's
# leftovers.
# argv: mode, cluster FQDN, master node FQDN, then for "strays" the recipe's
# instance FQDNs. Modes and exit codes:
#   leftovers: 0, or 1 (one line) when another cluster left files.
#   complete: 0 when the recipe's cluster is fully initialised, else 1.
#   settled: 0 unless the recipe's cluster has an interrupted init (then 1).
#   clear: moves an interrupted init's files aside so init can run again; 0.
#   strays: 1 (one line) when the recipe's cluster has instances the recipe
#     no longer lists, else 0.
#   absent: 0 when the recipe's cluster has none of the instances named after
#     the node (or there is no such cluster), else 1 (one line).
# An unknown mode exits 1.
import json, os, sys, time
from common import fail

mode, cluster, node = sys.argv[1:4]
data = '/var/lib/ganeti'
def init_running():
    for pid in os.listdir('/proc'):
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as file:
                argv = file.read().split(b'\0')
        except OSError:
            continue
        if any(part.endswith(b'gnt-cluster') for part in argv[:2]) and b'init' in argv[1:3]:
            return True
    return False
# An init whose wizard was killed goes on by itself: judge once it is over.
deadline = time.time() + 600
while mode not in ('leftovers', 'strays', 'absent') and init_running() and time.time() < deadline:
    time.sleep(1)
def files(directory):
    try:
        return [os.path.join(directory, entry) for entry in sorted(os.listdir(directory)) if not os.path.isdir(os.path.join(directory, entry))]
    except OSError:
        return []
left = files(data) + files(data + '/queue') + files(data + '/queue/archive')
name = master = None
try:
    with open(data + '/config.data') as file:
        config = json.load(file)
    name = config['cluster']['cluster_name']
    master = config['nodes'][config['cluster']['master_node']]['name']
except (OSError, ValueError, KeyError, TypeError):
    pass
ours = name == cluster and master == node
# Init writes config.data, then the certificates, then records the master's
# certificate digest in config.data and ssconf: the last thing before it starts
# the daemons (which the cluster step starts itself if need be).
def size(entry):
    try:
        return os.path.getsize(os.path.join(data, entry))
    except OSError:
        return 0
complete = ours and bool(config['cluster'].get('candidate_certs')) and all(size(entry) > 0 for entry in ('server.pem', 'client.pem', 'ssconf_master_candidates_certs'))
if mode == 'complete':
    sys.exit(0 if complete else 1)
if mode == 'settled':
    sys.exit(0 if complete or not ours else 1)
if mode == 'leftovers':
    if not left or ours:
        print('no other cluster left files in ' + data)
        sys.exit(0)
    what = f'the cluster {name} (master {master})' if name else 'an earlier cluster'
    fail(f'{data} holds files of {what}, e.g. {", ".join(left[:3])}: if it still runs, gnt-cluster destroy --yes-do-it; otherwise move those files aside')
if mode == 'strays':
    # config.data, not gnt-instance: it answers at once, even with the daemons down.
    known = set(sys.argv[4:])
    strays = sorted(entry.get('name', '?') for entry in config.get('instances', {}).values()) if ours else []
    strays = [name for name in strays if name not in known]
    if strays:
        fail(f'the cluster has instances the recipe does not list: {", ".join(strays)}: their DNS names and DHCP entries would go; list them again under instances, or remove them first (gnt-instance remove NAME)')
    print('every instance of the cluster is in the recipe')
    sys.exit(0)
if mode == 'absent':
    present = sorted(entry.get('name', '?') for entry in config.get('instances', {}).values()) if ours else []
    present = [name for name in present if name in sys.argv[4:]]
    if present:
        fail(f'the cluster still has {", ".join(present)}')
    print('the cluster has none of them')
    sys.exit(0)
if mode == 'clear':
    if complete or not ours:
        sys.exit(0)
    aside = time.strftime('/var/lib/ganeti-wizard/interrupted-init-%Y%m%d-%H%M%S')
    os.makedirs(aside, exist_ok=True)
    for path in left:
        os.rename(path, os.path.join(aside, os.path.relpath(path, data).replace('/', '_')))
    print(f'moved {len(left)} files of the interrupted init to {aside}')
    sys.exit(0)
fail(f'unknown mode {mode}')
