// Small Python programs the Ganeti steps run with `python3 -c PROGRAM ARGS...`.
// Values only ever travel as argv (never spliced into the program text), and
// python3 is on every Ganeti node (Ganeti itself is written in it). Checks
// print one line, "what is wrong: how to fix it", and exit 1 when they fail,
// so the operator reads the wizard's words before Ganeti's.

/** argv that runs `program` with `args` as sys.argv[1:]. */
export function python(program: string, ...args: string[]): string[] {
	return ['python3', '-c', program, ...args];
}

const prelude = `import os, socket, subprocess, sys
def fail(message):
    print(message)
    sys.exit(1)
`;

/**
 * argv: hostname. The machine's own name must be the recipe's: Ganeti names
 * the node after it, and the wizard does not rename machines.
 */
export const hostnameCheck = `${prelude}want = sys.argv[1]
got = socket.gethostname()
if got.split('.')[0] != want:
    fail(f'this machine is called {got}, the recipe calls it {want}: set host.hostname to {got.split(".")[0]}')
print(f'this machine is {got}')
`;

/**
 * argv: hostname, node FQDN, private address. What Ganeti does to name the
 * node (socket.getfqdn(), then the first IPv4 address of that name), with the
 * checks of `gnt-cluster init`: not loopback, and owned by this host.
 */
export const nodeNameCheck = `${prelude}host, fqdn, address = sys.argv[1:4]
line = f'"{address} {fqdn} {host}"'
def resolve(name):
    try:
        return socket.getaddrinfo(name, None, socket.AF_INET)[0][4][0]
    except OSError:
        return None
ip = resolve(fqdn)
if ip is None:
    fail(f'{fqdn} does not resolve: the private DNS must answer for it (dns step), or /etc/hosts must hold the line {line}')
if ip.startswith('127.'):
    fail(f'{fqdn} resolves to {ip}, a loopback address (Debian\\'s "127.0.1.1 {host}" line in /etc/hosts), which Ganeti refuses: replace that line by {line}')
name = socket.getfqdn()
if name != fqdn:
    short = resolve(host)
    why = f'{host} resolves to {short}' + (', a loopback address (Debian\\'s "127.0.1.1" line in /etc/hosts)' if short and short.startswith('127.') else '')
    fail(f'Ganeti would name this node {name}, not {fqdn} ({why}): put the line {line} in /etc/hosts before any other line naming {host}')
if ip != address:
    fail(f'{fqdn} resolves to {ip}, the recipe says {address}: fix its DNS record or its /etc/hosts line')
try:
    socket.socket().bind((ip, 0))
except OSError:
    fail(f'{fqdn} resolves to {ip}, which is not an address of this host: bring the private address up first (network step)')
print(f'this node is {fqdn} ({ip})')
`;

/** A cluster the recipe describes is already there (its name in ssconf). */
const ownCluster = `def own_cluster(fqdn):
    try:
        with open('/var/lib/ganeti/ssconf_cluster_name') as file:
            return file.read().strip() == fqdn
    except OSError:
        return False
`;

/**
 * argv: cluster FQDN, cluster address. The name must resolve to the recipe's
 * address, and nothing may use that address yet: not this host (Ganeti adds
 * it to the master netdev) and nothing on the network (Ganeti's own test: a
 * TCP connection to the node daemon's port that is accepted or refused).
 */
export const clusterAddressCheck = `${prelude}${ownCluster}fqdn, want = sys.argv[1:3]
try:
    ip = socket.getaddrinfo(fqdn, None, socket.AF_INET)[0][4][0]
except OSError as error:
    fail(f'the cluster name {fqdn} does not resolve ({error.strerror}): the private DNS must answer for it (dns step)')
if ip != want:
    fail(f'the cluster name {fqdn} resolves to {ip}, the recipe says {want}: fix the DNS record or cluster.address')
if own_cluster(fqdn):
    print(f'{ip} belongs to the cluster {fqdn}, which is initialised')
    sys.exit(0)
try:
    socket.socket().bind((ip, 0))
    fail(f'the cluster address {ip} is already in use on this host (ip -4 addr shows it, or a route makes it local): remove it, or choose another cluster.address')
except OSError:
    pass
probe = socket.socket()
probe.settimeout(3)
try:
    probe.connect((ip, 1811))
    answered = True
except ConnectionRefusedError:
    answered = True
except OSError:
    answered = False
if answered:
    fail(f'the cluster address {ip} answers on the network (another machine uses it): choose a free cluster.address')
print(f'{fqdn} resolves to {ip}, which is free')
`;

/** argv: volume group, minimum size in MiB. */
export const volumeGroupCheck = `${prelude}vg, need = sys.argv[1], int(sys.argv[2])
env = dict(os.environ, LVM_SUPPRESS_FD_WARNINGS='1')
result = subprocess.run(['vgs', '--noheadings', '--units', 'm', '--nosuffix', '-o', 'vg_size', vg], capture_output=True, text=True, env=env)
if result.returncode != 0:
    fail(f'the volume group {vg} does not exist: create it (give storage.disk or storage.partition and the wizard does), or set storage.vg to an existing one (vgs lists them)')
size = float(result.stdout.split()[0])
if size < need:
    fail(f'the volume group {vg} has {size:.0f} MiB; Ganeti needs at least {need} MiB (20 GiB) for plain and drbd disks: extend it (vgextend {vg} DEVICE) or use file disks')
print(f'the volume group {vg} has {size:.0f} MiB')
`;

/** argv: package names. Exit 0 when every one is installed. */
export const packagesCheck = `${prelude}names = sys.argv[1:]
result = subprocess.run(['dpkg-query', '-W', '-f=\${Package} \${db:Status-Status}\\n', *names], capture_output=True, text=True)
status = dict(line.split(' ', 1) for line in result.stdout.splitlines() if ' ' in line)
missing = [name for name in names if status.get(name) != 'installed']
if missing:
    fail(f'not installed: {" ".join(missing)}: install them (apt-get install --no-install-recommends {" ".join(missing)}; the host step does)')
print('installed: ' + ' '.join(names))
`;

/**
 * argv: mode, cluster FQDN, master node FQDN. What /var/lib/ganeti holds:
 * nothing, the recipe's cluster (complete, or an init that was interrupted
 * after it wrote config.data), or another cluster's leftovers.
 *   leftovers: check; fails only on another cluster's files.
 *   complete: exit 0 when the recipe's cluster is fully initialised.
 *   settled: exit 0 unless the recipe's cluster has an interrupted init.
 *   clear: moves an interrupted init's files aside so init can run again.
 *   strays (argv continues with the recipe's instance FQDNs): fails when the
 *     recipe's cluster has instances the recipe no longer lists.
 */
export const ganetiStateProgram = `${prelude}import json, time
mode, cluster, node = sys.argv[1:4]
data = '/var/lib/ganeti'
def init_running():
    for pid in os.listdir('/proc'):
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as file:
                argv = file.read().split(b'\\0')
        except OSError:
            continue
        if any(part.endswith(b'gnt-cluster') for part in argv[:2]) and b'init' in argv[1:3]:
            return True
    return False
# An init whose wizard was killed goes on by itself: judge once it is over.
deadline = time.time() + 600
while mode not in ('leftovers', 'strays') and init_running() and time.time() < deadline:
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
`;

/** argv: address. sshd must answer there: gnt-cluster verify logs in over SSH. */
export const sshdCheck = `${prelude}address = sys.argv[1]
try:
    socket.create_connection((address, 22), 5).close()
except OSError as error:
    fail(f'nothing answers on {address} port 22 ({error.strerror}): start sshd (service ssh start); Ganeti reaches its nodes over SSH')
print(f'sshd answers on {address}')
`;

/**
 * argv: a gnt-* command. Runs it only when Ganeti's master daemons run: with
 * them down (after a reboot) every gnt-* query waits 30 s for an answer before
 * it fails, and a probe needs only the "no" at once.
 */
export const whenDaemonsRunProgram = `${prelude}for daemon in ('ganeti-wconfd', 'ganeti-luxid'):
    if subprocess.run(['/usr/lib/ganeti/daemon-util', 'check', daemon]).returncode != 0:
        fail(f'{daemon} is not running')
result = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
sys.stdout.write(result.stdout.decode(errors='replace'))
sys.exit(result.returncode)
`;

/**
 * No argv. Starts the instances Ganeti should have running and does not (after
 * a reboot: what ganeti-watcher does from cron, within five minutes). Instances
 * an operator shut down are down administratively too: they stay down.
 */
export const instancesDownFilter = 'admin_state == "up" and not oper_state';
export const startInstancesProgram = `${prelude}listed = subprocess.run(['gnt-instance', 'list', '--no-headers', '-o', 'name', '--filter', ${JSON.stringify(instancesDownFilter)}], capture_output=True, text=True)
if listed.returncode != 0:
    fail(f'gnt-instance list failed: {listed.stderr.strip()}')
names = listed.stdout.split()
if names:
    sys.exit(subprocess.run(['gnt-instance', 'startup', '--force-multiple', *names]).returncode)
`;

/** argv: public key file, authorized_keys file. Appends the key once. */
export const authorizeKeyProgram = `${prelude}key_file, authorized = sys.argv[1:3]
with open(key_file) as file:
    key = file.read().strip()
try:
    with open(authorized) as file:
        text = file.read()
except FileNotFoundError:
    text = ''
if key in text.splitlines():
    sys.exit(0)
descriptor = os.open(authorized, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
os.write(descriptor, (('\\n' if text and not text.endswith('\\n') else '') + key + '\\n').encode())
os.close(descriptor)
print(f'authorized {key_file} in {authorized}')
`;

/**
 * argv: backing file, command... Runs the command with "{loop}" replaced by
 * the loop device attached to the file (losetup picks the device, so a plan
 * cannot name it).
 */
export const withLoopDeviceProgram = `${prelude}backing = sys.argv[1]
result = subprocess.run(['losetup', '-j', backing, '-n', '-O', 'NAME'], capture_output=True, text=True)
devices = result.stdout.split()
if not devices:
    fail(f'{backing} is not attached to a loop device: losetup --find {backing} (the host step does)')
command = [part.replace('{loop}', devices[0]) for part in sys.argv[2:]]
os.environ['LVM_SUPPRESS_FD_WARNINGS'] = '1'
os.execvp(command[0], command)
`;

/**
 * argv: disk, partition, "first" when the partition is the disk's first (the
 * one the wizard can make). The wizard partitions only a blank disk: no
 * partition table, no filesystem or other signature (wipefs finds them).
 */
export const blankDiskCheck = `${prelude}disk, partition, first = sys.argv[1:4]
if os.path.exists(partition):
    print(f'{partition} exists: it is used as it is (pvcreate refuses one that holds data)')
    sys.exit(0)
if first != 'first':
    fail(f'the partition {partition} does not exist, and the wizard only makes the first partition of a blank disk: create it, or leave storage.partition out')
if not os.path.exists(disk):
    fail(f'the disk {disk} does not exist: set storage.disk to an empty disk (lsblk lists them)')
result = subprocess.run(['wipefs', '--no-act', '--noheadings', '--output', 'TYPE', disk], capture_output=True, text=True)
if result.returncode != 0:
    fail(f'cannot inspect {disk}: {result.stderr.strip()}')
found = result.stdout.split()
if found:
    fail(f'the disk {disk} is not empty (it holds {", ".join(found)}): the wizard only partitions blank disks; choose another storage.disk, or give storage.partition to use an existing partition')
print(f'{disk} is blank')
`;
