package io.mirrorgate.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.server.Collector;
import io.mirrorgate.server.ServeConfig;
import io.mirrorgate.server.TestAgents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out through a real Apache Kafka broker (KRaft, a forked JVM from the Kafka artifacts):
 * {@code replay} into {@code serve --kafka-bootstrap}, two {@code watch --kafka-bootstrap --group}
 * processes in one group. Together they print every record exactly once, as {@code read} prints
 * the file; each conversation is printed by one of them only, in order; the broker's end offsets
 * count every record.
 */
class KafkaIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    @TempDir
    static Path dir;
    private static KafkaBroker broker;

    @BeforeAll
    static void broker() throws Exception {
        broker = new KafkaBroker(dir, 4);
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        return Admin.create(p);
    }

    /** The sum of the topic's end offsets: every record the broker holds. */
    static long endOffsets(String topic) throws Exception {
        try (Admin a = admin()) {
            int partitions = a.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                q.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return a.listOffsets(q).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        } catch (java.util.concurrent.ExecutionException e) {
            return -1; // the topic does not exist yet
        }
    }

    private static int members(String group) throws Exception {
        try (Admin a = admin()) {
            ConsumerGroupDescription d = a.describeConsumerGroups(List.of(group)).all().get().get(group);
            return (int) d.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
        } catch (java.util.concurrent.ExecutionException e) {
            return 0; // no such group yet
        }
    }

    private static Process watch(String topic, String group, Path out) throws Exception {
        Path jar = Paths.get("target/mirrorgate.jar").toAbsolutePath();
        // a member that dies is noticed after 6 s (Kafka's default is 45 s)
        return new ProcessBuilder("java", "-jar", jar.toString(), "watch", "--kafka-bootstrap", broker.bootstrap(),
                "--kafka-topic", topic, "--group", group, "--from", "earliest", "--format", "tsv", "--timezone", "UTC",
                "--kafka-property", "session.timeout.ms=6000", "--kafka-property", "heartbeat.interval.ms=1000")
                .redirectOutput(out.toFile()).redirectError(out.resolveSibling(out.getFileName() + ".err").toFile()).start();
    }

    private static List<String> lines(Path p) throws Exception {
        List<String> l = new ArrayList<>(Files.readAllLines(p));
        return l.isEmpty() ? l : l.subList(1, l.size()); // the TSV header
    }

    /** A TSV line without its first column (each consumer numbers its own frames). */
    private static String withoutFrame(String line) {
        return line.substring(line.indexOf('\t') + 1);
    }

    /** The conversation of a TSV line: its unordered address and port pair (columns src dst sport dport). */
    private static String conversation(String line) {
        String[] c = line.split("\t", -1);
        String a = c[5] + ":" + c[7];
        String b = c[6] + ":" + c[8];
        return a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
    }

    @Test
    void twoWatchersInOneGroupPrintEveryRecordOnceConversationsWhole() throws Exception {
        String topic = "mirrorgate-it";
        String group = "g1";
        String file = Cli.testdata("tcp-cases.pcap").toString();
        List<String> want = lines(Files.writeString(dir.resolve("read.tsv"),
                Cli.run("read", "--format", "tsv", "--timezone", "UTC", file).out));
        ServeConfig cfg = new ServeConfig();
        cfg.kafkaBootstrap = broker.bootstrap();
        cfg.kafkaTopic = topic;
        try (Admin a = admin()) {
            a.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 4, (short) 1))).all().get();
        }
        Path out1 = dir.resolve("w1.tsv");
        Path out2 = dir.resolve("w2.tsv");
        Process w1 = watch(topic, group, out1);
        Process w2 = watch(topic, group, out2);
        try (Collector c = TestAgents.collector(cfg)) {
            await().atMost(WAIT).until(() -> members(group) == 2);
            Cli replay = Cli.run("replay", file, "--mirror", "127.0.0.1:" + c.mirrorAddress().getPort(), "--timezone", "UTC");
            assertEquals(0, replay.status, replay.err);
            await().atMost(WAIT).until(() -> c.kafkaTotals()[0] == want.size());
            assertEquals(want.size(), endOffsets(topic), "the broker holds every record");
            assertEquals(0, c.kafkaTotals()[1] + c.kafkaTotals()[2], "none failed or dropped");
            await().atMost(WAIT).until(() -> lines(out1).size() + lines(out2).size() == want.size());
        } finally {
            for (Process w : List.of(w1, w2)) {
                new ProcessBuilder("kill", "-TERM", Long.toString(w.pid())).start().waitFor();
            }
        }
        for (Process w : List.of(w1, w2)) {
            assertTrue(w.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, w.exitValue());
        }
        List<String> got1 = lines(out1);
        List<String> got2 = lines(out2);
        assertTrue(!got1.isEmpty() && !got2.isEmpty(), "both members printed some: " + got1.size() + " + " + got2.size());
        List<String> all = new ArrayList<>();
        got1.forEach(l -> all.add(withoutFrame(l)));
        got2.forEach(l -> all.add(withoutFrame(l)));
        assertEquals(want.stream().map(KafkaIT::withoutFrame).sorted().toList(), all.stream().sorted().toList(),
                "every record exactly once, decoded as read decodes the file");
        // each conversation by one member only, its records in the file's order
        Map<String, List<String>> byConversation = new HashMap<>();
        for (String l : want) {
            byConversation.computeIfAbsent(conversation(l), k -> new ArrayList<>()).add(withoutFrame(l));
        }
        for (Map.Entry<String, List<String>> e : byConversation.entrySet()) {
            List<String> in1 = got1.stream().filter(l -> conversation(l).equals(e.getKey())).map(KafkaIT::withoutFrame).toList();
            List<String> in2 = got2.stream().filter(l -> conversation(l).equals(e.getKey())).map(KafkaIT::withoutFrame).toList();
            assertTrue(in1.isEmpty() || in2.isEmpty(), e.getKey() + " printed by both members");
            assertEquals(e.getValue(), in1.isEmpty() ? in2 : in1, e.getKey() + " in order");
        }
        // the group committed what it printed: a new member of the group finds nothing left
        Process w3 = watch(topic, group, dir.resolve("w3.tsv"));
        try {
            await().atMost(WAIT).until(() -> members(group) == 1);
        } finally {
            new ProcessBuilder("kill", "-TERM", Long.toString(w3.pid())).start().waitFor();
            assertTrue(w3.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(List.of(), lines(dir.resolve("w3.tsv")), "offsets were committed at exit");
    }

    /**
     * The broker killed for 20 s while an agent streams (replay at 10,000 records/s, 4 MB of
     * producer buffer so the outage outlasts it). {@code block}: the collector pauses the agent and
     * loses nothing, the broker ends with every record. {@code drop}: every record received is
     * published or counted dropped, exactly, and a subscriber keeps receiving throughout.
     */
    @Test
    void brokerOutageLosesNothingUnderBlockAndCountsEveryDropUnderDrop() throws Exception {
        for (boolean block : new boolean[] {true, false}) {
            String topic = "outage-" + (block ? "block" : "drop");
            ServeConfig cfg = new ServeConfig();
            cfg.kafkaBootstrap = broker.bootstrap();
            cfg.kafkaTopic = topic;
            cfg.kafkaProperties.put("buffer.memory", Integer.toString(4 << 20));
            cfg.backpressureBlock = block;
            try (Admin a = admin()) {
                a.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 4, (short) 1))).all().get();
            }
            int loops = 4000;
            long records = 61L * loops;
            try (Collector c = TestAgents.collector(cfg);
                 TestAgents.Reader subscriber = new TestAgents.Reader(c.clientAddress(), false)) {
                await().atMost(WAIT).until(() -> c.subscriberTotals().connected.get() == 1);
                java.util.concurrent.Future<Cli> replay = java.util.concurrent.Executors.newSingleThreadExecutor().submit(() ->
                        Cli.run("replay", Cli.testdata("tcp-cases.pcap").toString(), "--mirror", "127.0.0.1:"
                                + c.mirrorAddress().getPort(), "--rate", "10000", "--loop", Integer.toString(loops)));
                await().atMost(WAIT).until(() -> c.kafkaTotals()[0] > 20_000);
                broker.stop();
                java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong(-1);
                await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> c.kafkaTotals()[1] == 0 && (block || subscriber.size() > last.getAndSet(subscriber.size())));
                broker.start();
                Cli r = replay.get(120, TimeUnit.SECONDS);
                assertEquals(0, r.status, r.err);
                await().atMost(WAIT).until(() -> c.agentTotals().received.get() == records
                        && c.kafkaTotals()[0] + c.kafkaTotals()[1] + c.kafkaTotals()[2] == records);
                long[] k = c.kafkaTotals();
                System.out.println("broker outage, backpressure " + (block ? "block" : "drop") + ": received " + records
                        + ", published " + k[0] + ", failed " + k[1] + ", dropped " + k[2] + ", pauses " + c.backpressurePauses());
                assertEquals(0, k[1], "nothing failed");
                assertEquals(k[0], endOffsets(topic), "the broker holds what was published");
                if (block) {
                    assertEquals(records, k[0], "block: nothing lost");
                    assertTrue(c.backpressurePauses() > 0, "the agent was paused");
                } else {
                    assertTrue(k[2] > 0, "drop: the outage outlasted the queue");
                }
            }
        }
    }

    /**
     * A member of the group killed (SIGKILL) mid-stream: the group rebalances and the other member
     * carries on from the committed offsets. Every record is printed at least once; the only
     * duplicates are what the killed member printed after its last commit (one poll's batch).
     */
    @Test
    void aKilledMemberLosesNothingTheOtherCarriesOn() throws Exception {
        String topic = "kill";
        String group = "g-kill";
        int agents = 8;
        int perAgent = 25_000;
        ServeConfig cfg = new ServeConfig();
        cfg.kafkaBootstrap = broker.bootstrap();
        cfg.kafkaTopic = topic;
        cfg.backpressureBlock = true;
        try (Admin a = admin()) {
            a.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 4, (short) 1))).all().get();
        }
        try (Collector c = TestAgents.collector(cfg)) {
            for (int agent = 1; agent <= agents; agent++) {
                TestAgents.send(c.mirrorAddress(), TestAgents.concat(TestAgents.records(agent, perAgent, 80)), agent);
            }
            await().atMost(WAIT).until(() -> c.kafkaTotals()[0] == (long) agents * perAgent);
        }
        long total = (long) agents * perAgent;
        assertEquals(total, endOffsets(topic));
        Path out1 = dir.resolve("k1.tsv");
        Path out2 = dir.resolve("k2.tsv");
        Process w1 = watch(topic, group, out1);
        Process w2 = watch(topic, group, out2);
        try {
            await().atMost(WAIT).until(() -> Files.size(out1) > 0 && Files.size(out2) > 0
                    && lines(out1).size() + lines(out2).size() > total / 10);
            w1.destroyForcibly(); // SIGKILL: no commit, no leaving the group
            assertTrue(w1.waitFor(30, TimeUnit.SECONDS));
            long atKill = lines(out1).size();
            assertTrue(atKill + lines(out2).size() < total, "records were left when the member died");
            System.out.println("member killed after printing " + atKill + " records");
            java.util.Set<String> distinct = new java.util.HashSet<>();
            await().atMost(WAIT).until(() -> {
                distinct.clear();
                lines(out1).forEach(l -> distinct.add(withoutFrame(l)));
                lines(out2).forEach(l -> distinct.add(withoutFrame(l)));
                return distinct.size() == total;
            });
        } finally {
            new ProcessBuilder("kill", "-TERM", Long.toString(w2.pid())).start().waitFor();
        }
        assertTrue(w2.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, w2.exitValue());
        long printed = lines(out1).size() + lines(out2).size();
        System.out.println("member killed: " + total + " records, printed " + printed + " (" + (printed - total)
                + " twice: the killed member's last uncommitted batch)");
        assertTrue(printed - total <= 500, "duplicates only from the last uncommitted poll (max.poll.records 500): "
                + (printed - total));
    }

    /**
     * {@code watch --count N} commits exactly the N it printed (the next member of the group prints
     * the rest), and the SDK's {@code KafkaPacketSource.from(Instant)} starts at the first record
     * the collector published at or after that time, with the Kafka headers in the view's source.
     */
    @Test
    void countCommitsWhatWasPrintedAndFromTimeStartsThere() throws Exception {
        String topic = "count";
        ServeConfig cfg = new ServeConfig();
        cfg.kafkaBootstrap = broker.bootstrap();
        cfg.kafkaTopic = topic;
        try (Admin a = admin()) {
            a.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get();
        }
        java.time.Instant between;
        try (Collector c = TestAgents.collector(cfg)) {
            TestAgents.send(c.mirrorAddress(), TestAgents.concat(TestAgents.records(1, 100, 80)), 1);
            await().atMost(WAIT).until(() -> c.kafkaTotals()[0] == 100);
            between = java.time.Instant.now();
            await().atMost(WAIT).until(() -> java.time.Instant.now().isAfter(between.plusMillis(5)));
            TestAgents.send(c.mirrorAddress(), TestAgents.concat(TestAgents.records(2, 50, 80)), 2);
            await().atMost(WAIT).until(() -> c.kafkaTotals()[0] == 150);
        }
        String[] common = {"watch", "--kafka-bootstrap", broker.bootstrap(), "--kafka-topic", topic, "--group", "g-count",
            "--from", "earliest", "--format", "tsv", "--timezone", "UTC"};
        Cli first = Cli.run(concat(common, "--count", "7"));
        assertEquals(0, first.status, first.err);
        assertEquals(7, lines(Files.writeString(dir.resolve("c1.tsv"), first.out)).size());
        Cli rest = Cli.run(concat(common, "--count", "143"));
        assertEquals(0, rest.status, rest.err);
        List<String> all = new ArrayList<>(lines(Files.writeString(dir.resolve("c2.tsv"), rest.out)));
        assertEquals(143, all.size(), "the group's next member starts after the 7 printed");

        List<io.mirrorgate.client.KafkaPacketSource.Origin> origins = java.util.Collections.synchronizedList(new ArrayList<>());
        List<io.mirrorgate.protocol.IpPacket> packets = java.util.Collections.synchronizedList(new ArrayList<>());
        try (io.mirrorgate.client.KafkaPacketSource s = io.mirrorgate.client.KafkaPacketSource
                .builder(broker.bootstrap(), topic, "g-time").from(between).timezone(java.time.ZoneOffset.UTC)
                .packetHandler(v -> origins.add((io.mirrorgate.client.KafkaPacketSource.Origin) v.source()))
                .listener(packets::add).build().start()) {
            await().atMost(WAIT).until(() -> packets.size() == 50);
        }
        assertTrue(packets.stream().allMatch(p -> p.sourceAddress().equals("10.0.2.1")),
                "only the records published after the time: agent 2's");
        io.mirrorgate.client.KafkaPacketSource.Origin o = origins.get(0);
        assertEquals("ncf", o.dialect());
        assertTrue(o.agent().startsWith("127.0.0.1:"), o.agent());
        assertEquals(1_700_000_000_000_000L, o.captureMicros(), "ts_us: the capture time, not the collector's");
        assertTrue(o.kafkaTimestampMillis() >= between.toEpochMilli(), "the Kafka timestamp is the collector's");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
