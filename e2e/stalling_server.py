"""A TCP server that accepts connections and never says a word: a TLS server
whose handshake stalls (the resolver's ClientHello is read by nobody). Run by
e2e/run.sh as `stalling_server.py PORT`; it holds every connection until killed.
"""

import socket
import sys

BACKLOG = 64  # more than one e2e run ever opens

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", int(sys.argv[1])))
listener.listen(BACKLOG)
held = []  # kept open: closing would be an answer of sorts (a reset or EOF)
while True:
    connection, _ = listener.accept()
    held.append(connection)
