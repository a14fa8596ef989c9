#!/bin/sh
# Runs first of the init scripts, as the cluster's superuser (POSTGRES_USER), on a new volume only.
# NEXUS's database gets an owner of its own, NEXUS_OWNER (nexus_user): it owns the schema and runs
# the migrations, and may create roles (the runtime login), but is no superuser. The superuser
# only bootstraps; its password is a secret file that nothing else reads.
set -eu
owner="${NEXUS_OWNER:-nexus_user}"
password_file="${NEXUS_OWNER_PASSWORD_FILE:-/run/secrets/nexus_owner_password}"
if [ ! -s "$password_file" ]; then
  echo "00-owner.sh: no password for $owner in $password_file (run docker/make-secrets.sh before the first start)" >&2
  exit 1
fi
password=$(head -n 1 "$password_file")
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set owner="$owner" --set password="$password" <<'SQL'
CREATE ROLE :"owner" LOGIN NOSUPERUSER CREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD :'password';
SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'owner') \gexec
SQL
