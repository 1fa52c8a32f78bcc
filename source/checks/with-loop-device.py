# Runs a command with "{loop}" replaced by the loop device attached to a file
# (losetup picks the device, so a plan cannot name it).
# argv: backing file, command... Exit 1 (one line) when the file is not
# attached to a loop device, else the command's exit code (it replaces this
# process).
import os, subprocess, sys
from common import fail

backing = sys.argv[1]
result = subprocess.run(['losetup', '-j', backing, '-n', '-O', 'NAME'], capture_output=True, text=True)
devices = result.stdout.split()
if not devices:
    fail(f'{backing} is not attached to a loop device: losetup --find {backing} (the host step does)')
command = [part.replace('{loop}', devices[0]) for part in sys.argv[2:]]
os.environ['LVM_SUPPRESS_FD_WARNINGS'] = '1'
os.execvp(command[0], command)
