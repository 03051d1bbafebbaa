package io.mirrorgate.server;

import io.mirrorgate.protocol.Dialect;
import java.net.InetSocketAddress;
import java.time.ZoneId;

/** Everything {@code mirrorgate serve} is told (SPEC section 5), with the embedded defaults. */
public final class ServeConfig {
    public String bind = "127.0.0.1";
    public int mirrorPort = 5555;
    public int clientPort = 5556;
    /** UDP ports of the VXLAN, GENEVE and TZSP mirror inputs (--vxlan-port etc.); -1: none. */
    public int vxlanPort = -1;
    public int genevePort = -1;
    public int tzspPort = -1;
    /** PCAP-over-IP clients' port (--pcap-port); -1: none. */
    public int pcapPort = -1;
    /** Address of the PCAP-over-IP port (--pcap-bind); null: --bind. */
    public String pcapBind;
    /** The medium PCAP-over-IP clients get (--pcap-linktype), as {@link io.mirrorgate.protocol.Medium}. */
    public int pcapMedium = io.mirrorgate.protocol.Medium.ETHERNET;
    /** Null: auto, decided per connection from its first header. */
    public Dialect dialect;
    public Dialect clientDialect = Dialect.NCF;
    public ZoneId timezone = ZoneId.systemDefault();
    public String injectAdapter;
    public boolean injectToAgent;
    /** Bytes all subscribers may queue together; 0: half of the JVM's direct memory. */
    public long subscriberBudget;
    /** How frames reach the inject adapter (--inject-method). */
    public io.mirrorgate.protocol.inject.InjectMethod injectMethod = io.mirrorgate.protocol.inject.InjectMethod.AUTO;
    public InetSocketAddress mirrorOut;
    public int mirrorOutRetrySeconds = 15;
    public String writeFile;
    public long rotateMegabytes;
    public long rotateSeconds;
    public int ringFiles;
    /** -w writes one pcapng for every medium (--pcapng, or a FILE ending in .pcapng). */
    public boolean pcapng;
    public String filter;
    /** 0: no metrics endpoint. */
    public int metricsPort = -1;
    /** Outbound bytes a subscriber may have queued before its records are dropped. */
    public int subscriberHighWater = 8 << 20;
    public boolean epoll = true;
    /** --backpressure block: stop reading agents while an output is full, instead of dropping. */
    public boolean backpressureBlock;
    /** --stall-timeout in seconds; -1: the default (30 under block, off under drop). */
    public long stallTimeoutSeconds = -1;
    /** Who may connect (agents and subscribers); empty: anyone who reaches the bound address. */
    public java.util.List<String> allow = new java.util.ArrayList<>();
    /** Who may inject; empty: loopback only. */
    public java.util.List<String> injectAllow = new java.util.ArrayList<>();
    public int maxConnections = 1024;
    public int maxSubscribers = 64;
    /** Metrics (HTTP) connections at once. */
    public int maxMetricsConnections = 64;
    /** Connections from one address at once, per port; over it: closed at accept, counted. */
    public int maxConnectionsPerAddress = 1024;
    /** An agent that has not completed a first record header by then is closed and counted; 0: never. */
    public long firstRecordTimeoutSeconds = 30;
    /** Injection frames per second in total and per connection; 0: unlimited. Over: discarded, counted. */
    public long injectRate;
    public long injectRatePerConnection;
    /** PEM certificate and PKCS#8 key: TLS on both ports (and --mirror-out presents them). */
    public java.io.File tlsCert;
    public java.io.File tlsKey;
    /** PEM CA: peers must present a certificate it signed (mutual TLS); --mirror-out trusts it. */
    public java.io.File tlsCa;
    /** --analysis: track conversations per agent, export their counts on /metrics. */
    public boolean analysis;
    /** --dedup: drop mirror copies (from any agent) before fan-out, files and analysis; counted per agent. */
    public boolean dedup;
    /** --conversations-log FILE: ended conversations as Zeek conn.log JSON lines (implies analysis); null: none. */
    public String conversationsLog;
    /** --conversation-timeout: idle µs {tcp, tcp after close, udp, other}; null: Zeek's. */
    public long[] conversationTimeouts;
    /** --kafka-bootstrap HOST:PORT[,...]: publish every record to Kafka; null: off. */
    public String kafkaBootstrap;
    /** --kafka-topic. */
    public String kafkaTopic;
    /** --kafka-property KEY=VALUE: passed to the producer, over mirrorgate's own settings. */
    public java.util.Map<String, String> kafkaProperties = new java.util.LinkedHashMap<>();

    /** Throws IllegalArgumentException with a one-line reason unless {@code cidr} is an address or CIDR block. */
    public static void checkCidr(String cidr) {
        AccessPolicy.rule(cidr);
    }
}
