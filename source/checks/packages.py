# Every named Debian package is installed.
# argv: package names. Exit 0 when every one is, 1 (one line naming the
# missing ones) when not.
import subprocess, sys
from common import fail

names = sys.argv[1:]
result = subprocess.run(['dpkg-query', '-W', '-f=${Package} ${db:Status-Status}\n', *names], capture_output=True, text=True)
status = dict(line.split(' ', 1) for line in result.stdout.splitlines() if ' ' in line)
missing = [name for name in names if status.get(name) != 'installed']
if missing:
    fail(f'not installed: {" ".join(missing)}: install them (apt-get install --no-install-recommends {" ".join(missing)}; the host step does)')
print('installed: ' + ' '.join(names))
