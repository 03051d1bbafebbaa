package io.mirrorgate.client;

import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.IpPacket;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.StreamFormatException;
import io.mirrorgate.protocol.WallClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packets a collector published to Kafka ({@code serve --kafka-bootstrap}), read as one member of
 * a consumer group: the group shares the topic's partitions, and since a conversation is one
 * partition (the key is its Community ID), each conversation reaches one member, in order. Each
 * record is decoded by the shared decoder and given to the {@link PacketHandler} (allocation-free
 * views) or as an {@link IpPacket} to a listener, like {@link MirrorClient}; the view's
 * {@link PacketView#source()} is the record's {@link Origin} (partition, offset, the Kafka headers).
 *
 * <p>Offsets are committed for what the handler has been given, synchronously: after each poll,
 * when partitions are taken away in a rebalance, and at {@link #close()}. A member killed while
 * delivering a poll leaves that poll (at most {@code max.poll.records}, 500 by default) to be
 * delivered again to whoever takes its partitions. A record that is no NCF/NCFX record is counted ({@link #malformed()}) and skipped.
 *
 * <p>Needs {@code org.apache.kafka:kafka-clients} on the class path (an optional dependency of the
 * SDK).
 */
public final class KafkaPacketSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPacketSource.class);

    /** Where a group with no committed offset starts. */
    public enum From {
        /** The oldest record the topic still holds. */
        EARLIEST,
        /** Only records published from now on. */
        LATEST
    }

    /**
     * Where one record came from: the Kafka coordinates and the collector's headers.
     *
     * @param topic                the topic
     * @param partition            the partition
     * @param offset               the record's offset
     * @param agent                the agent (address:port) that sent it to the collector
     * @param dialect              ncf or ncfx
     * @param captureMicros        the capture time (the agent's clock), epoch µs
     * @param kafkaTimestampMillis the Kafka timestamp (the collector's clock)
     */
    public record Origin(String topic, int partition, long offset, String agent, String dialect, long captureMicros,
            long kafkaTimestampMillis) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final PacketHandler handler;
    private final Consumer<IpPacket> listener;
    private final Instant fromTime;
    private final WallClock clock;
    private final Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong committed = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;

    private KafkaPacketSource(Builder b) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, b.group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, b.from == From.LATEST ? "latest" : "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "mirrorgate-" + b.group);
        p.putAll(b.properties);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = b.topic;
        this.handler = b.handler;
        this.listener = b.listener;
        this.fromTime = b.fromTime;
        this.clock = new WallClock(b.zone);
        this.thread = new Thread(this::loop, "mirrorgate-kafka-consumer");
        thread.setDaemon(true);
    }

    /**
     * A source reading {@code topic} through {@code bootstrap} as a member of {@code group}.
     *
     * @param bootstrap HOST:PORT[,HOST:PORT...] of Kafka brokers
     * @param topic     the topic a collector publishes to
     * @param group     the consumer group: members share the topic's partitions
     * @return a builder
     */
    public static Builder builder(String bootstrap, String topic, String group) {
        return new Builder(bootstrap, topic, group);
    }

    /** Settings of a {@link KafkaPacketSource}. */
    public static final class Builder {
        private final String bootstrap;
        private final String topic;
        private final String group;
        private From from = From.LATEST;
        private Instant fromTime;
        private ZoneId zone = ZoneId.systemDefault();
        private final Map<String, String> properties = new HashMap<>();
        private PacketHandler handler;
        private Consumer<IpPacket> listener;

        private Builder(String bootstrap, String topic, String group) {
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.group = group;
        }

        /**
         * Where a group with no committed offset starts (default LATEST).
         *
         * @param f earliest or latest
         * @return this builder
         */
        public Builder from(From f) {
            this.from = f;
            this.fromTime = null;
            return this;
        }

        /**
         * Starts every partition at the first record published at or after {@code t} (the
         * collector's time, Kafka's offsetsForTimes), whatever the group committed.
         *
         * @param t the time
         * @return this builder
         */
        public Builder from(Instant t) {
            this.fromTime = t;
            return this;
        }

        /**
         * The zone of the agents' wall-clock times in NCF records (default: this system's).
         *
         * @param z the zone
         * @return this builder
         */
        public Builder timezone(ZoneId z) {
            this.zone = z;
            return this;
        }

        /**
         * A Kafka consumer setting (security.protocol, sasl.*, ssl.*, max.poll.records, ...).
         *
         * @param key   the setting
         * @param value its value
         * @return this builder
         */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /**
         * Every packet as a reusable view, on the consumer thread (valid during the call only).
         *
         * @param h the handler
         * @return this builder
         */
        public Builder packetHandler(PacketHandler h) {
            this.handler = h;
            return this;
        }

        /**
         * Every packet as an {@link IpPacket}, on the consumer thread.
         *
         * @param l the listener
         * @return this builder
         */
        public Builder listener(Consumer<IpPacket> l) {
            this.listener = l;
            return this;
        }

        /**
         * The source, not yet started.
         *
         * @return the source
         */
        public KafkaPacketSource build() {
            if (handler == null && listener == null) {
                throw new IllegalStateException("give a packetHandler or a listener");
            }
            return new KafkaPacketSource(this);
        }
    }

    /**
     * Joins the group and starts delivering on the {@code mirrorgate-kafka-consumer} thread.
     *
     * @return this source
     */
    public KafkaPacketSource start() {
        thread.start();
        return this;
    }

    private void loop() {
        PacketView view = new PacketView();
        view.setFrameOnly(listener == null && handler != null && !handler.needsIpFields());
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    commit(false); // a refusal here is the rebalance itself: not fatal
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (fromTime != null && !partitions.isEmpty()) {
                        Map<TopicPartition, Long> q = new HashMap<>();
                        partitions.forEach(tp -> q.put(tp, fromTime.toEpochMilli()));
                        Map<TopicPartition, OffsetAndTimestamp> at = consumer.offsetsForTimes(q);
                        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                        for (TopicPartition tp : partitions) {
                            OffsetAndTimestamp o = at.get(tp);
                            consumer.seek(tp, o != null ? o.offset() : ends.get(tp));
                        }
                    }
                    assigned = true;
                }
            });
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                delivery:
                for (TopicPartition tp : records.partitions()) {
                    long next = -1;
                    for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                        if (!running) {
                            // stopDelivery() from the handler: what follows is neither delivered nor committed
                            if (next >= 0) {
                                processed.put(tp, new OffsetAndMetadata(next));
                            }
                            break delivery;
                        }
                        deliver(r, view);
                        next = r.offset() + 1;
                    }
                    if (next >= 0) {
                        processed.put(tp, new OffsetAndMetadata(next));
                    }
                }
                if (!records.isEmpty()) {
                    if (handler != null) {
                        handler.onReadComplete();
                    }
                    commit(false);
                }
            }
        } catch (WakeupException e) {
            // close()
        } catch (RuntimeException e) {
            LOG.warn("Kafka topic {}: consumer stopped: {}", topic, e.toString());
        } finally {
            try {
                commit(true);
            } catch (RuntimeException e) {
                LOG.warn("Kafka topic {}: last offsets not committed: {}", topic, e.getMessage());
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Commits what the handler was given, synchronously: a member killed at any moment leaves at
     * most the one poll it was delivering uncommitted (asynchronous commits let several polls be
     * in flight, and all of them would be delivered again). A commit refused because the group is
     * rebalancing is not fatal: the partitions' new owner starts from the last commit that took.
     */
    private void commit(boolean last) {
        if (processed.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> now = new HashMap<>(processed);
        processed.clear();
        try {
            consumer.commitSync(now);
            committed.addAndGet(now.size());
        } catch (org.apache.kafka.clients.consumer.CommitFailedException
                | org.apache.kafka.common.errors.RebalanceInProgressException e) {
            if (last) {
                throw e;
            }
            LOG.debug("Kafka topic {}: commit refused during a rebalance: {}", topic, e.getMessage());
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.US_ASCII);
    }

    private void deliver(ConsumerRecord<byte[], byte[]> r, PacketView view) {
        received.incrementAndGet();
        byte[] value = r.value();
        String dialectName = header(r, "dialect");
        Dialect d = "ncfx".equals(dialectName) ? Dialect.NCFX : Dialect.NCF;
        ByteBuf b = Unpooled.wrappedBuffer(value == null ? new byte[0] : value);
        try {
            if (b.readableBytes() < d.headerLength() || d.check(b, 0, 0) != b.readableBytes()) {
                malformed.incrementAndGet();
                return;
            }
        } catch (StreamFormatException e) {
            malformed.incrementAndGet();
            return;
        }
        d.decode(b, 0, 0, clock, view);
        String ts = header(r, "ts_us");
        long micros;
        try {
            micros = ts == null ? view.timestampMicros() : Long.parseLong(ts);
        } catch (NumberFormatException e) {
            micros = view.timestampMicros();
        }
        view.setSource(new Origin(r.topic(), r.partition(), r.offset(), header(r, "agent"), d.name().toLowerCase(
                java.util.Locale.ROOT), micros, r.timestamp()));
        if (handler != null) {
            handler.onPacket(view);
        }
        if (listener != null) {
            listener.accept(IpPacket.of(view));
        }
    }

    /**
     * Stops delivering after the current packet, from the handler itself: no later record of the
     * poll reaches the handler or is committed (a consumer that wanted N packets commits N). Then
     * {@link #close()}.
     */
    public void stopDelivery() {
        running = false;
    }

    /**
     * True once the group has given this member its partitions (possibly none).
     *
     * @return whether partitions were assigned
     */
    public boolean isAssigned() {
        return assigned;
    }

    /**
     * Records read from Kafka (well-formed or not).
     *
     * @return the count
     */
    public long received() {
        return received.get();
    }

    /**
     * Records that were no NCF/NCFX record, skipped.
     *
     * @return the count
     */
    public long malformed() {
        return malformed.get();
    }

    /**
     * Commits the offsets of what was delivered, leaves the group and stops.
     */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
