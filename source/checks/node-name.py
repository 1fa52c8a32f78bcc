# What Ganeti does to name the node (socket.getfqdn(), then the first IPv4
# address of that name), with the checks of `gnt-cluster init`: not loopback,
# and owned by this host.
# argv: hostname, node FQDN, private address. Exit 0 when Ganeti would name
# this node the FQDN at that address, 1 (one line with the fix) when not.
import socket, sys
from common import fail

host, fqdn, address = sys.argv[1:4]
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
    fail(f'{fqdn} resolves to {ip}, a loopback address (Debian\'s "127.0.1.1 {host}" line in /etc/hosts), which Ganeti refuses: replace that line by {line}')
name = socket.getfqdn()
if name != fqdn:
    short = resolve(host)
    why = f'{host} resolves to {short}' + (', a loopback address (Debian\'s "127.0.1.1" line in /etc/hosts)' if short and short.startswith('127.') else '')
    fail(f'Ganeti would name this node {name}, not {fqdn} ({why}): put the line {line} in /etc/hosts before any other line naming {host}')
if ip != address:
    fail(f'{fqdn} resolves to {ip}, the recipe says {address}: fix its DNS record or its /etc/hosts line')
try:
    socket.socket().bind((ip, 0))
except OSError:
    fail(f'{fqdn} resolves to {ip}, which is not an address of this host: bring the private address up first (network step)')
print(f'this node is {fqdn} ({ip})')
