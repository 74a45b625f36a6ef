#!/usr/bin/env bash
# Starts one broker of docker-compose.secure.yml: the shared server.properties plus this node's
# id, advertised listeners and keystore; formats the storage on first start.
# Environment: NODE_ID (1-3), NODE_NAME (kafka-1…), CLUSTER_ID.
set -euo pipefail
: "${NODE_ID:?}" "${NODE_NAME:?}" "${CLUSTER_ID:?}"
secrets=/etc/kafka/secrets
for file in ca.crt "$NODE_NAME.p12" passwords.properties; do
  [[ -r $secrets/$file ]] || { echo "start-broker: $secrets/$file is missing; run compose/secure/make-certs.sh first" >&2; exit 1; }
done
config=/tmp/server.properties
{
  cat /etc/kafka/secure/server.properties
  echo "node.id=$NODE_ID"
  echo "advertised.listeners=INTERNAL://$NODE_NAME:9092,CLIENT://$NODE_NAME:9094"
  echo "ssl.keystore.location=$secrets/$NODE_NAME.p12"
} > "$config"
# The health check talks to the INTERNAL listener with this node's own certificate.
password=$(sed -n 's/^keystore.password=//p' "$secrets/passwords.properties")
cat > /tmp/health.properties <<PROPERTIES
security.protocol=SSL
ssl.keystore.type=PKCS12
ssl.keystore.location=$secrets/$NODE_NAME.p12
ssl.keystore.password=$password
ssl.truststore.type=PEM
ssl.truststore.location=$secrets/ca.crt
PROPERTIES
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$config"
exec /opt/kafka/bin/kafka-server-start.sh "$config"
