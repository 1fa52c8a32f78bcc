# Authorises a public key for SSH: appends it to authorized_keys (made 0600)
# once, on a line of its own. With --remove first, takes that line out instead
# (other lines stay as they are); with --delete-if-empty last, also deletes the
# file when nothing but blank lines is left (a file the wizard created).
# argv: [--remove] KEY, authorized_keys file [--delete-if-empty], where KEY is
# a public key file, or --key TEXT for a key given as text (another node's).
# Exit 0 (an error if the key file cannot be read).
import os, sys

arguments = sys.argv[1:]
remove = arguments[:1] == ['--remove']
delete_if_empty = arguments[-1:] == ['--delete-if-empty']
rest = [part for part in arguments if part not in ('--remove', '--delete-if-empty')]
if rest[0] == '--key':
    key_file, key, authorized = 'the key of ' + rest[1].split()[-1], rest[1].strip(), rest[2]
else:
    key_file, authorized = rest[:2]
    with open(key_file) as file:
        key = file.read().strip()
try:
    with open(authorized) as file:
        text = file.read()
except FileNotFoundError:
    text = None
if remove:
    if text is None:
        sys.exit(0)
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if line.rstrip('\n') != key]
    if delete_if_empty and ''.join(kept).strip() == '':
        os.unlink(authorized)
        print(f'removed {authorized}')
        sys.exit(0)
    if kept != lines:
        candidate = authorized + '.ganeti-wizard-new'
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(descriptor, ''.join(kept).encode())
        os.fsync(descriptor)
        os.close(descriptor)
        status = os.stat(authorized)
        os.chown(candidate, status.st_uid, status.st_gid)
        os.chmod(candidate, status.st_mode & 0o7777)
        os.rename(candidate, authorized)
        print(f'removed {key_file} from {authorized}')
    sys.exit(0)
text = text or ''
if key in text.splitlines():
    sys.exit(0)
descriptor = os.open(authorized, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
os.write(descriptor, (('\n' if text and not text.endswith('\n') else '') + key + '\n').encode())
os.close(descriptor)
print(f'authorized {key_file} in {authorized}')
