# dhcpd's whole configuration, as dhcpd will read it, checked before any of
# it is installed: `dhcpd -t` on the main file with every `include "PATH";`
# taken from the staged tree (where the new files lie) when it is there.
# dhcpd has no option to read its files under another root, so the includes
# are laid inline into one temporary file first (dhcpd.conf(5), "include").
# argv: STAGE CONF (CONF as the host names it, e.g. /etc/dhcp/dhcpd.conf).
# Exit 0 when dhcpd accepts it, 1 (dhcpd's own last lines) when not.
import os, re, subprocess, sys, tempfile
from common import fail

stage, conf = sys.argv[1], sys.argv[2]
include = re.compile(r'^\s*include\s+"([^"]+)"\s*;\s*$', re.M)


def staged(path):
    inside = os.path.join(stage, path.lstrip('/'))
    return inside if os.path.exists(inside) else path


def inlined(path, depth=0):
    if depth > 8:
        fail(f'{path}: includes nest more than 8 deep')
    with open(staged(path)) as handle:
        text = handle.read()
    return include.sub(lambda match: f'# from {match.group(1)}\n' + inlined(match.group(1), depth + 1) + '\n', text)


with tempfile.NamedTemporaryFile('w', suffix='.conf') as whole:
    whole.write(inlined(conf))
    whole.flush()
    result = subprocess.run(['dhcpd', '-t', '-q', '-cf', whole.name], capture_output=True, text=True)
if result.returncode != 0:
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    fail(f'dhcpd rejects the configuration: {" ".join(lines[-3:])}')
print(f'dhcpd accepts {conf} with its includes')
