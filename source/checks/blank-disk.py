# The wizard partitions only a blank disk: no partition table, no filesystem
# or other signature (wipefs finds them). An existing partition is used as it is.
# argv: disk, partition, "first" when the partition is the disk's first (the
# one the wizard can make). Exit 0 when the partition exists or the disk is
# blank, 1 (one line with the fix) when not.
import os, subprocess, sys
from common import fail

disk, partition, first = sys.argv[1:4]
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
