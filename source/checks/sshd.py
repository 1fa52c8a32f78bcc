# sshd must answer on the node's address: gnt-cluster verify logs in over SSH.
# argv: address. Exit 0 when port 22 accepts a connection, 1 (one line with the
# fix) when not.
import socket, sys
from common import fail

address = sys.argv[1]
try:
    socket.create_connection((address, 22), 5).close()
except OSError as error:
    fail(f'nothing answers on {address} port 22 ({error.strerror}): start sshd (service ssh start); Ganeti reaches its nodes over SSH')
print(f'sshd answers on {address}')
