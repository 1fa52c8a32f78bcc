# sshd must answer on the node's address: gnt-cluster verify logs in over SSH.
# argv: address [seconds]. With seconds, keeps trying that long (another
# node's address, while the routes to it converge). Exit 0 when port 22
# accepts a connection, 1 (one line with the fix) when not.
import socket, sys, time
from common import fail

address = sys.argv[1]
deadline = time.monotonic() + (float(sys.argv[2]) if len(sys.argv) > 2 else 0)
while True:
    try:
        socket.create_connection((address, 22), 5).close()
        break
    except OSError as error:
        if time.monotonic() >= deadline:
            fail(f'nothing answers on {address} port 22 ({error.strerror}): start sshd (service ssh start) there, and check the route to it (ip route get {address}); Ganeti reaches its nodes over SSH')
        time.sleep(1)
print(f'sshd answers on {address}')
