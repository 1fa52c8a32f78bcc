# Keeps root's and sshd's SSH files as they are found, before `gnt-node add`
# with Ganeti's own SSH setup (cluster.ssh_init: true) changes them, and puts
# them back once the node left the cluster. Ganeti 3.0's prepare_node_join
# writes the master's host keys over /etc/ssh/ssh_host_*_key (keeping
# .backup-* copies) and makes root a new key pair (ssh.InitSSHSetup, the old
# one backed up the same way); the join adds keys to root's authorized_keys.
# argv: save DIR FILE... | restore DIR. save copies each FILE that exists into
# DIR (mode kept) and lists the absent ones, once: a DIR already there is left
# as it is (a resumed run keeps the first copy). restore puts each file back
# (or removes it, if it was absent), removes the .backup-* files Ganeti made
# since, /root/.ssh if it was absent, and DIR; then sshd reloads its keys.
# Exit 0; 1 (one line) when DIR holds no saved copy.
import json, os, shutil, subprocess, sys
from common import fail

mode, directory, files = sys.argv[1], sys.argv[2], sys.argv[3:]
record = os.path.join(directory, 'found.json')
ssh_directory = '/root/.ssh'


def backups(paths):
    """The .backup-* files beside each path (Ganeti's utils.CreateBackup names)."""
    found = set()
    for path in paths:
        folder, name = os.path.split(path)
        if os.path.isdir(folder):
            found.update(os.path.join(folder, entry) for entry in os.listdir(folder) if entry.startswith(name + '.backup-'))
    return found


if mode == 'save':
    if os.path.exists(record):
        sys.exit(0)
    saved = {'files': {}, 'ssh_directory': os.path.isdir(ssh_directory), 'parent': os.path.isdir(os.path.dirname(directory)), 'backups': sorted(backups(files))}
    os.makedirs(directory, mode=0o700, exist_ok=True)
    for index, path in enumerate(files):
        if os.path.isfile(path):
            copy = os.path.join(directory, str(index))
            shutil.copy2(path, copy)
            saved['files'][path] = copy
        else:
            saved['files'][path] = None
    with open(record + '.new', 'w') as file:
        json.dump(saved, file)
    os.replace(record + '.new', record)
elif mode == 'restore':
    try:
        with open(record) as file:
            saved = json.load(file)
    except FileNotFoundError:
        fail(f'{record} is missing: the SSH files as found were not kept; restore them by hand')
    for path, copy in saved['files'].items():
        if copy is None:
            if os.path.lexists(path):
                os.unlink(path)
        else:
            shutil.copy2(copy, path)
    for path in backups(saved['files']) - set(saved['backups']):
        os.unlink(path)
    if not saved['ssh_directory'] and os.path.isdir(ssh_directory) and not os.listdir(ssh_directory):
        os.rmdir(ssh_directory)
    shutil.rmtree(directory)
    parent = os.path.dirname(directory)
    if not saved['parent'] and os.path.isdir(parent) and not os.listdir(parent):
        os.rmdir(parent)
    # As Ganeti's daemon-util reload-ssh-keys does.
    subprocess.run(['service', 'ssh', 'restart'], capture_output=True)
else:
    fail(f'ssh-as-found: unknown mode {mode}: save or restore')
