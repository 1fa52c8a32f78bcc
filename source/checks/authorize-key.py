# Authorises a public key for SSH: appends it to authorized_keys (made 0600)
# once, on a line of its own.
# argv: public key file, authorized_keys file. Exit 0 (an error if the key
# file cannot be read).
import os, sys

key_file, authorized = sys.argv[1:3]
with open(key_file) as file:
    key = file.read().strip()
try:
    with open(authorized) as file:
        text = file.read()
except FileNotFoundError:
    text = ''
if key in text.splitlines():
    sys.exit(0)
descriptor = os.open(authorized, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
os.write(descriptor, (('\n' if text and not text.endswith('\n') else '') + key + '\n').encode())
os.close(descriptor)
print(f'authorized {key_file} in {authorized}')
