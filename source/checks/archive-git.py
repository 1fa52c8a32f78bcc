# Archives a git repository's history, then removes the repository (.git),
# leaving the files it tracked in place: undo of a repository the wizard made.
# argv: directory, archive folder. The archive is FOLDER/<directory with "/"
# as "_">.git-<UTC time>.tar.gz (folder made 0700). Exit 0, also when there is
# no repository (nothing to do); 1 (one line) when the archive cannot be written.
import os, shutil, sys, tarfile, time
from common import fail

directory, folder = sys.argv[1:3]
repository = os.path.join(directory, '.git')
if not os.path.isdir(repository):
    sys.exit(0)
os.makedirs(folder, mode=0o700, exist_ok=True)
name = directory.strip('/').replace('/', '_') or 'root'
archive = os.path.join(folder, f'{name}.git-{time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())}.tar.gz')
candidate = archive + '.new'
try:
    with tarfile.open(candidate, 'w:gz') as tar:
        tar.add(repository, arcname='.git')
    with open(candidate, 'rb') as file:
        os.fsync(file.fileno())
    os.rename(candidate, archive)
except OSError as error:
    fail(f'the history of {directory} could not be archived in {folder}: {error.strerror}; free space there, then undo again')
# Only once the archive is safe does the repository go.
shutil.rmtree(repository)
print(f'archived {repository} in {archive}')
