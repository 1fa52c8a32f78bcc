# Starts the instances Ganeti should have running and does not (after a reboot:
# what ganeti-watcher does from cron, within five minutes). Instances an
# operator shut down are down administratively too: they stay down. The filter
# is instancesDownFilter in source/steps/programs.ts.
# No argv. Exit 0 when none is down, else gnt-instance startup's exit code; 1
# (one line) when gnt-instance list fails.
import subprocess, sys
from common import fail

listed = subprocess.run(['gnt-instance', 'list', '--no-headers', '-o', 'name', '--filter', 'admin_state == "up" and not oper_state'], capture_output=True, text=True)
if listed.returncode != 0:
    fail(f'gnt-instance list failed: {listed.stderr.strip()}')
names = listed.stdout.split()
if names:
    sys.exit(subprocess.run(['gnt-instance', 'startup', '--force-multiple', *names]).returncode)
