package io.mirrorgate.server;

import io.mirrorgate.protocol.CommunityId;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.WallClock;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --kafka-bootstrap ... --kafka-topic T}: every record that passed the filter, as
 * the agent sent it (NCF or NCFX bytes), one Kafka record each (README "Scaling out"). The key is
 * the flow's Community ID (seed 0: both directions, and every collector, give one key, so one
 * conversation is one partition, in order); none for a frame without a usable IP header. Headers:
 * {@code dialect}, {@code agent}, {@code medium}, {@code ts_us} (the capture time; the Kafka
 * timestamp is the collector's, so an agent's wrong clock cannot make the broker refuse or
 * misorder anything).
 *
 * <p>Never on an event loop: runs reach the {@code mirrorgate-kafka} thread through a queue
 * bounded in bytes and in runs. Under {@code --backpressure drop} a run that does not fit is
 * counted in {@code dropped}; under {@code block} the collector stops reading agents above
 * {@link #HIGH_WATER} bytes or half the runs (resuming below half and a quarter), dropping only past
 * {@link #HARD_LIMIT} or a full queue. The producer is
 * idempotent ({@code acks=all}); what it finally fails to deliver is counted in {@code failed}, per
 * cause, each cause logged once.
 */
final class KafkaPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);
    static final long HIGH_WATER = 16L << 20;
    static final long HARD_LIMIT = 64L << 20;
    private static final int QUEUE_RUNS = 8192;

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Backpressure backpressure;
    private final WallClock clock;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE_RUNS);
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Thread thread;
    private final PacketView view = new PacketView();
    private volatile boolean stopping;
    private boolean blocking;
    final AtomicLong published = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    /** Acknowledged records' latency, send to acknowledgement: total µs and the largest. */
    final AtomicLong latencyMicrosTotal = new AtomicLong();
    final AtomicLong latencyMicrosMax = new AtomicLong();
    private final Set<String> causesLogged = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicLong> failedByCause = new ConcurrentHashMap<>();

    private record Item(RecordRun run, byte[] agent) {
    }

    /** The producer settings mirrorgate chooses (docs/BENCHMARKS.md); --kafka-property overrides them. */
    static Properties defaults(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "mirrorgate-serve");
        return p;
    }

    KafkaPublisher(String bootstrap, String topic, Map<String, String> properties, Backpressure backpressure,
            java.time.ZoneId zone) {
        Properties p = defaults(bootstrap);
        p.putAll(properties);
        this.topic = topic;
        this.backpressure = backpressure;
        this.clock = new WallClock(zone);
        try {
            this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (org.apache.kafka.common.KafkaException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("Kafka producer: " + c.getMessage());
        }
        thread = new Thread(this::loop, "mirrorgate-kafka");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a run (retained here); if it cannot be taken, its records are counted dropped. */
    void offer(RecordRun run, String agent) {
        if (stopping) {
            dropped.addAndGet(run.count);
            return;
        }
        int size = run.records.readableBytes();
        long limit = backpressure.blocking() ? HARD_LIMIT : HIGH_WATER;
        if (queuedBytes.get() + size > limit) {
            dropped.addAndGet(run.count);
            return;
        }
        run.records.retain();
        if (!queue.offer(new Item(run, agent.getBytes(StandardCharsets.US_ASCII)))) {
            run.records.release();
            dropped.addAndGet(run.count);
            return;
        }
        long q = queuedBytes.addAndGet(size);
        if (backpressure.blocking() && (q > HIGH_WATER || queue.size() > QUEUE_RUNS / 2)) {
            synchronized (this) {
                if (!blocking && (queuedBytes.get() > HIGH_WATER || queue.size() > QUEUE_RUNS / 2)) {
                    blocking = true;
                    backpressure.block(this);
                }
            }
        }
    }

    private void loop() {
        while (true) {
            Item it;
            try {
                it = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (it == null) {
                if (stopping) {
                    break;
                }
                continue;
            }
            int size = it.run.records.readableBytes();
            try {
                send(it);
            } catch (RuntimeException e) {
                failure(e, it.run.count);
            } finally {
                it.run.records.release();
                released(size);
            }
        }
    }

    private void send(Item it) {
        RecordRun run = it.run;
        io.netty.buffer.ByteBuf b = run.records;
        byte[] dialect = run.dialect.name().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        int i = b.readerIndex();
        for (int k = 0; k < run.count; k++) {
            int len = run.dialect.recordLength(b, i);
            run.dialect.decode(b, i, 0, clock, view);
            String key = CommunityId.of(view, 0);
            byte[] value = new byte[len];
            b.getBytes(i, value);
            RecordHeaders h = new RecordHeaders();
            h.add(new RecordHeader("dialect", dialect));
            h.add(new RecordHeader("agent", it.agent));
            h.add(new RecordHeader("medium", Integer.toString(view.medium()).getBytes(StandardCharsets.US_ASCII)));
            h.add(new RecordHeader("ts_us", Long.toString(view.timestampMicros()).getBytes(StandardCharsets.US_ASCII)));
            long sent = System.nanoTime();
            producer.send(new ProducerRecord<>(topic, null, null, key == null ? null : key.getBytes(StandardCharsets.US_ASCII),
                    value, h), (meta, e) -> {
                        if (e == null) {
                            published.incrementAndGet();
                            long us = (System.nanoTime() - sent) / 1000;
                            latencyMicrosTotal.addAndGet(us);
                            latencyMicrosMax.accumulateAndGet(us, Math::max);
                        } else {
                            failure(e, 1);
                        }
                    });
            i += len;
        }
    }

    private void failure(Throwable e, int records) {
        failed.addAndGet(records);
        String cause = e.getClass().getSimpleName();
        failedByCause.computeIfAbsent(cause, c -> new AtomicLong()).addAndGet(records);
        if (causesLogged.size() < 64 && causesLogged.add(cause)) {
            LOG.warn("Kafka topic {}: records not delivered ({}): {}; counted as kafka_failed, later ones of this cause "
                    + "are counted only", topic, cause, e.getMessage());
        }
    }

    private void released(int bytes) {
        long q = queuedBytes.addAndGet(-bytes);
        if (q <= HIGH_WATER / 2 && queue.size() <= QUEUE_RUNS / 4) {
            synchronized (this) {
                if (blocking && queuedBytes.get() <= HIGH_WATER / 2 && queue.size() <= QUEUE_RUNS / 4) {
                    blocking = false;
                    backpressure.unblock(this);
                }
            }
        }
    }

    /** Sends what is queued, waits up to {@code millis} for the broker to take it, then closes the producer. */
    void close(long millis) {
        stopping = true;
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(java.time.Duration.ofMillis(Math.max(0, millis)));
        synchronized (this) {
            if (blocking) {
                blocking = false;
                backpressure.unblock(this);
            }
        }
    }

    @Override
    public void close() {
        close(10_000);
    }

    @Override
    public String toString() {
        return "kafka " + topic;
    }
}
