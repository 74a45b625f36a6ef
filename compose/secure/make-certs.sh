#!/usr/bin/env bash
# Makes the throwaway secrets of docker-compose.secure.yml (for trying it out on your machine;
# use your own CA and secret store for anything real):
#   secrets/ca.crt, ca.key            a CA valid for 30 days
#   secrets/kafka-{1,2,3}.p12         each broker's key and certificate (PKCS12), CN and DNS name = the host
#   secrets/kafka-setup.p12           the client certificate setup-security.sh uses (a super user)
#   secrets/passwords.properties      the keystores' password (read by the brokers through a config provider)
#   secrets/scram.env                 one random SCRAM password per role user
#   secrets/clients/ROLE.properties   clients/ROLE.properties with that password filled in
# Usage: compose/secure/make-certs.sh [OUT_DIR]   (default: compose/secure/secrets; refuses to overwrite)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/secrets}
command -v openssl >/dev/null || { echo "make-certs: openssl is needed" >&2; exit 1; }
if [[ -e $out/ca.crt ]]; then
  echo "make-certs: $out already holds secrets; remove it first to make new ones" >&2
  exit 1
fi
umask 077
mkdir -p "$out/clients"
days=30
password=$(openssl rand -hex 24)

openssl req -x509 -newkey rsa:3072 -nodes -days "$days" -subj "/CN=agentfl-throwaway-ca" \
  -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null

for name in kafka-1 kafka-2 kafka-3 kafka-setup; do
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$out/$name.key" -out "$out/$name.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n' "$name" > "$out/$name.ext"
  openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
    -days "$days" -extfile "$out/$name.ext" -out "$out/$name.crt" 2>/dev/null
  openssl pkcs12 -export -in "$out/$name.crt" -inkey "$out/$name.key" -certfile "$out/ca.crt" \
    -name "$name" -out "$out/$name.p12" -passout "pass:$password"
  rm -f "$out/$name.csr" "$out/$name.ext"
done
printf 'keystore.password=%s\n' "$password" > "$out/passwords.properties"

: > "$out/scram.env"
for role in server aggregator auditor guardian admin; do
  secret=$(openssl rand -hex 24)
  printf 'SCRAM_%s=%s\n' "$(echo "$role" | tr a-z A-Z)" "$secret" >> "$out/scram.env"
  sed "s/^sasl.password=.*/sasl.password=$secret/" "$here/clients/$role.properties" > "$out/clients/$role.properties"
done

# The containers run as other users than you: let them read what they mount (the directory
# itself stays private to you).
chmod 0644 "$out"/ca.crt "$out"/*.p12 "$out"/passwords.properties "$out"/scram.env "$out"/clients/*.properties
chmod 0755 "$out/clients"
chmod 0711 "$out"
echo "make-certs: secrets in $out (CA valid for $days days)"
