#!/usr/bin/env bash
# Creates the SCRAM users and the ACLs of docker-compose.secure.yml; run by its `security` service
# (apache/kafka image) once the brokers are healthy. Idempotent: re-running re-sets the passwords
# and re-adds the same ACLs.
#
# It connects to the INTERNAL listener with the kafka-setup client certificate (a super user).
# Who may do what follows the protocol (README, topics/):
#   server      writes rounds, offers, assignments, heartbeats; reads bids, offer-answers, assignments, metrics, heartbeats
#   aggregator  writes models, metrics, heartbeats;      reads assignments, updates, heartbeats
#   auditor     writes audit-roots, heartbeats;           reads every topic but audit-roots
#   guardian    writes bids, offer-answers, updates, heartbeats; reads rounds, offers, assignments, models
#   admin       creates and describes the agentfl.* topics (`agentfl topics create`) and reads
#               rounds, assignments, metrics, audit-roots (what `agentfl run --brokers` follows)
# Every role that reads also needs its consumer groups: AgenticFL names them agentfl.* (and a
# private agentfl-unjoined-* for partition readers that never commit).
set -euo pipefail
: "${BOOTSTRAP:=kafka-1:9092,kafka-2:9092,kafka-3:9092}"
secrets=${SECRETS:-/etc/kafka/secrets}
bin=${KAFKA_BIN:-/opt/kafka/bin}
# shellcheck disable=SC1091
source "$secrets/scram.env"
password=$(sed -n 's/^keystore.password=//p' "$secrets/passwords.properties")
admin_config=$(mktemp)
trap 'rm -f "$admin_config"' EXIT
cat > "$admin_config" <<PROPERTIES
security.protocol=SSL
ssl.keystore.type=PKCS12
ssl.keystore.location=$secrets/kafka-setup.p12
ssl.keystore.password=$password
ssl.truststore.type=PEM
ssl.truststore.location=$secrets/ca.crt
PROPERTIES

configs() { "$bin/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$admin_config" "$@"; }
acls() { "$bin/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$admin_config" "$@"; }

for role in server aggregator auditor guardian admin; do
  variable=SCRAM_$(echo "$role" | tr a-z A-Z)
  configs --alter --entity-type users --entity-name "$role" \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=${!variable}]"
done

# allow ROLE OPERATION TOPIC...  (Describe comes with Read and Write for the clients' metadata)
allow() {
  local role=$1 operation=$2
  shift 2
  for topic in "$@"; do
    acls --add --allow-principal "User:$role" --operation "$operation" --operation Describe --topic "agentfl.$topic"
  done
}
groups() {
  for prefix in agentfl. agentfl-unjoined-; do
    acls --add --allow-principal "User:$1" --operation Read --operation Describe \
      --group "$prefix" --resource-pattern-type prefixed
  done
}

allow server Write rounds offers assignments heartbeats
allow server Read bids offer-answers assignments metrics heartbeats
groups server

allow aggregator Write models metrics heartbeats
allow aggregator Read assignments updates heartbeats
groups aggregator

allow auditor Write audit-roots heartbeats
allow auditor Read heartbeats rounds bids offers offer-answers assignments models updates metrics audit
groups auditor

allow guardian Write bids offer-answers updates heartbeats
allow guardian Read rounds offers assignments models
groups guardian

acls --add --allow-principal User:admin --operation Create --operation Describe --operation DescribeConfigs \
  --operation Alter --operation AlterConfigs --topic agentfl. --resource-pattern-type prefixed
acls --add --allow-principal User:admin --operation Describe --cluster
allow admin Read rounds assignments metrics audit-roots
groups admin

acls --list
echo "setup-security: users and ACLs in place"
