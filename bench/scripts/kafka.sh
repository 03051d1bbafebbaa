#!/usr/bin/env bash
# Publishing to Apache Kafka: `mirrorgate serve --kafka-bootstrap` (bench/.../KafkaBench.java) against
# Kafka's own ProducerPerformance on the same broker, in one run; 64- and 1514-byte frames with
# no compression, lz4 and zstd; then the end-to-end rate agent -> serve -> Kafka -> watch.
# The broker is one KRaft node from the org.apache.kafka:kafka_2.13 artifacts (bench/pom.xml).
# Usage: bash bench/scripts/kafka.sh [RECORDS]   (default 1000000)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
records="${1:-1000000}"
mvn -B -q -o -pl bench -am install -DskipTests >/dev/null
cp_file="$(mktemp)"
mvn -B -q -o -pl bench dependency:build-classpath -Dmdep.includeScope=provided -Dmdep.outputFile="$cp_file" >/dev/null
kcp="$(cat "$cp_file")"
dir="$(mktemp -d)"
port=$((20000 + RANDOM % 20000)); cport=$((port + 1))
cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=4
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
java -cp "$kcp" kafka.tools.StorageTool format -t bWlycm9yZ2F0ZS1iZW5jaA -c "$dir/server.properties" >/dev/null
java -Xmx1g -cp "$kcp" kafka.Kafka "$dir/server.properties" > "$dir/broker.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; wait $broker 2>/dev/null || true; rm -rf "$dir" "$cp_file"' EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.3; done
bootstrap="127.0.0.1:$port"

for frame in 64 1514; do
  size=$((frame + 24))   # the NCF record mirrorgate publishes: 24-byte header + frame
  for comp in none lz4 zstd; do
    java -cp bench/target/benchmarks.jar io.mirrorgate.bench.KafkaBench cli/target/mirrorgate.jar "$bootstrap" "$frame" "$records" "$comp"
    java -cp "$kcp" org.apache.kafka.tools.ProducerPerformance --topic "pp-$frame-$comp" --num-records "$records" \
      --record-size "$size" --throughput -1 --producer-props "bootstrap.servers=$bootstrap" acks=all \
      enable.idempotence=true linger.ms=5 batch.size=262144 "compression.type=$comp" 2>/dev/null \
      | tail -1 | sed "s/^/ProducerPerformance, $size-byte records, $comp: /"
  done
done
for frame in 64 1514; do
  java -cp bench/target/benchmarks.jar io.mirrorgate.bench.KafkaBench cli/target/mirrorgate.jar "$bootstrap" "$frame" "$records" lz4 consumer
done
