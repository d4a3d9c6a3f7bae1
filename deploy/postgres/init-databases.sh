#!/bin/sh
# Creates one database per service. Run by the postgres image on first start
# (empty data directory); safe to run again by hand, since it skips databases
# that already exist.
set -eu

for database in accounts registration documents uploads notifications; do
    # CREATE DATABASE has no IF NOT EXISTS and cannot run inside a DO block,
    # so the statement is generated only when missing and run with \gexec.
    psql -v ON_ERROR_STOP=1 \
        --username "${POSTGRES_USER:-postgres}" \
        --dbname "${POSTGRES_DB:-${POSTGRES_USER:-postgres}}" \
        --set database="$database" <<'SQL'
SELECT format('CREATE DATABASE %I', :'database')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database')
\gexec
SQL
done
