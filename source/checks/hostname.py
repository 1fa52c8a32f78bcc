# The machine's own name must be the recipe's: Ganeti names the node after it,
# and the wizard does not rename machines.
# argv: hostname. Exit 0 when this machine's short name is it, 1 (one line
# saying what to set) when not.
import socket, sys
from common import fail

want = sys.argv[1]
got = socket.gethostname()
if got.split('.')[0] != want:
    fail(f'this machine is called {got}, the recipe calls it {want}: set host.hostname to {got.split(".")[0]}')
print(f'this machine is {got}')
