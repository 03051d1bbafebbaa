package io.mirrorgate.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real Apache Kafka broker for the tests: one KRaft node (broker and controller) in a forked JVM
 * from the {@code org.apache.kafka:kafka_2.13} artifacts on the test class path, its data in a
 * temporary folder, on free loopback ports. {@link #stop()} kills it; {@link #start()} again
 * brings the same node back on the same ports with its data (an outage).
 */
final class KafkaBroker implements AutoCloseable {
    private static final String CLUSTER_ID = "bWlycm9yZ2F0ZS10ZXN0cw";
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final Path config;
    private Process process;

    KafkaBroker(Path dir, int partitions) throws IOException, InterruptedException {
        this.dir = dir;
        this.port = freePort();
        this.controllerPort = freePort();
        this.config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=" + partitions,
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "") );
        int status = java("kafka.tools.StorageTool", "format", "-t", CLUSTER_ID, "-c", config.toString()).waitFor();
        if (status != 0) {
            throw new IOException("kafka-storage format failed: " + Files.readString(dir.resolve("StorageTool.log")));
        }
        start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Process java(String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-Dlog4j2.level=WARN", "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        String log = main.substring(main.lastIndexOf('.') + 1) + ".log";
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(log).toFile())).start();
    }

    /** Starts the node and waits until it takes connections. */
    void start() throws IOException {
        process = java("kafka.Kafka", config.toString());
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new IOException("the broker exited: " + Files.readString(dir.resolve("Kafka.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Kills the node (SIGKILL: an outage, not a clean shutdown). */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            process = null;
        }
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
