#!/usr/bin/env bash
# Checks compose/ offline (no Docker engine needed): both compose files resolve
# (`docker-compose config`), the shell scripts parse, make-certs.sh makes a CA and certificates
# that verify, and the filled client properties name every role.
# Needs docker-compose (Debian: apt-get install docker-compose) and openssl.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for file in docker-compose.yml docker-compose.secure.yml; do
  docker-compose -f "$here/$file" config -q
  echo "check: $file resolves"
done
for script in "$here"/secure/*.sh "$here"/check.sh; do bash -n "$script"; done
echo "check: scripts parse"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$here/secure/make-certs.sh" "$scratch/secrets" >/dev/null
for name in kafka-1 kafka-2 kafka-3 kafka-setup; do
  openssl verify -CAfile "$scratch/secrets/ca.crt" "$scratch/secrets/$name.crt" >/dev/null
  password=$(sed -n 's/^keystore.password=//p' "$scratch/secrets/passwords.properties")
  openssl pkcs12 -in "$scratch/secrets/$name.p12" -passin "pass:$password" -nokeys 2>/dev/null | grep -q "subject=CN *= *$name"
done
echo "check: certificates verify against the CA and the keystores open"
for role in server aggregator auditor guardian admin; do
  grep -q "^sasl.username=$role$" "$scratch/secrets/clients/$role.properties"
  ! grep -q "generated-by-make-certs" "$scratch/secrets/clients/$role.properties"
done
echo "check: client properties filled for every role"
