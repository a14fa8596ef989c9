#!/bin/sh
# Makes the secrets docker-compose.yml reads, once: random values in ./secrets, readable by you
# only, git-ignored. An existing file is never replaced (the database keeps the password it was
# made with). `sh docker/make-secrets.sh` from the project folder.
set -eu
cd "$(dirname "$0")/.."
umask 077
mkdir -p secrets
for name in postgres_password nexus_owner_password nexus_runtime_password session_secret; do
  file="secrets/$name"
  if [ -s "$file" ]; then
    echo "kept    $file"
  else
    # URL-safe: the passwords end up inside connection URLs.
    od -An -N36 -tx1 /dev/urandom | tr -d ' \n' > "$file"
    echo "created $file"
  fi
done
