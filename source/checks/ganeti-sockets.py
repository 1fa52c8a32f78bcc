# Whether Ganeti's daemons listen only where the wizard bound them: the node's
# private address, loopback, or Unix sockets. A daemon started before
# /etc/default/ganeti named its address still listens on every address.
# argv: ADDRESS (the node's private address). Exit 1 (one line naming each
# socket) when a ganeti-* process listens anywhere else.
import subprocess, sys
from common import fail

address = sys.argv[1]
allowed = {address, '127.0.0.1', '[::1]'}
listing = subprocess.run(['ss', '-H', '-l', '-n', '-t', '-u', '-p'], stdout=subprocess.PIPE, text=True, check=True).stdout
wrong = []
for line in listing.splitlines():
    fields = line.split()
    # Netid State Recv-Q Send-Q Local:Port Peer:Port Process
    if len(fields) < 7 or '"ganeti-' not in line:
        continue
    local = fields[4]
    host = local.rsplit(':', 1)[0].split('%')[0]
    if host not in allowed:
        process = line.split('"')[1]
        wrong.append(f'{process} on {local} ({fields[0]})')
if wrong:
    fail(f"Ganeti's daemons listen beyond {address}: {', '.join(wrong)}; restart them (service ganeti restart) to read /etc/default/ganeti")
