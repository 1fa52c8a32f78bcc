# The cluster name must resolve to the recipe's address, and nothing may use
# that address yet: not this host (Ganeti adds it to the master netdev) and
# nothing on the network (Ganeti's own test: a TCP connection to the node
# daemon's port that is accepted or refused). A cluster already initialised
# under that name owns it.
# argv: cluster FQDN, cluster address. Exit 0 when the address is free (or the
# cluster's own), 1 (one line with the fix) when not.
import socket, sys
from common import fail

def own_cluster(fqdn):
    try:
        with open('/var/lib/ganeti/ssconf_cluster_name') as file:
            return file.read().strip() == fqdn
    except OSError:
        return False

fqdn, want = sys.argv[1:3]
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
