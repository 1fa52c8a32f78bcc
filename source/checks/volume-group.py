# The volume group exists and is large enough for Ganeti's plain and drbd disks.
# argv: volume group, minimum size in MiB. Exit 0 when it is, 1 (one line with
# the fix) when it is missing or too small.
import os, subprocess, sys
from common import fail

vg, need = sys.argv[1], int(sys.argv[2])
env = dict(os.environ, LVM_SUPPRESS_FD_WARNINGS='1')
result = subprocess.run(['vgs', '--noheadings', '--units', 'm', '--nosuffix', '-o', 'vg_size', vg], capture_output=True, text=True, env=env)
if result.returncode != 0:
    fail(f'the volume group {vg} does not exist: create it (give storage.disk or storage.partition and the wizard does), or set storage.vg to an existing one (vgs lists them)')
size = float(result.stdout.split()[0])
if size < need:
    fail(f'the volume group {vg} has {size:.0f} MiB; Ganeti needs at least {need} MiB (20 GiB) for plain and drbd disks: extend it (vgextend {vg} DEVICE) or use file disks')
print(f'the volume group {vg} has {size:.0f} MiB')
