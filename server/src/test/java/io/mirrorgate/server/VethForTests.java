package io.mirrorgate.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A veth pair made for one test with iproute2 (needs root or CAP_NET_ADMIN, as CI has), up, with
 * IPv6 off so the kernel sends nothing of its own; {@link #close()} deletes it, also after a
 * failure.
 */
public final class VethForTests implements AutoCloseable {
    final String a;
    final String b;

    public VethForTests(String prefix) throws IOException, InterruptedException {
        String tag = Long.toString(ProcessHandle.current().pid() % 100000, 36);
        this.a = prefix + tag + "a";
        this.b = prefix + tag + "b";
        run("ip", "link", "del", a); // a leftover from a killed run
        String err = run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        if (err != null) {
            throw new IllegalStateException("cannot create veth pair " + a + "/" + b + " (injection tests need root, as CI"
                    + " runs them): " + err);
        }
        for (String ifc : List.of(a, b)) {
            run("sysctl", "-q", "-w", "net.ipv6.conf." + ifc + ".disable_ipv6=1");
            run("ip", "link", "set", ifc, "up");
        }
    }

    /** Runs a command; returns null on success, else its output. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : String.join(" ", cmd) + ": " + out;
    }

    public String a() {
        return a;
    }

    public String b() {
        return b;
    }

    /** Starts capturing, on the peer {@link #b()}, the frames our tests send (source MAC 02:6d:67:00:00:01). */
    public Capture capture() throws Exception {
        return new Capture(b);
    }

    /** Captures frames from our source MAC on an interface, on a thread of its own. */
    public static final class Capture implements AutoCloseable {
        private final java.util.List<byte[]> frames = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        private final org.pcap4j.core.PcapHandle handle;
        private final Thread thread;

        Capture(String ifc) throws Exception {
            io.mirrorgate.protocol.Libpcap.require();
            handle = new org.pcap4j.core.PcapHandle.Builder(ifc).snaplen(65536)
                    .promiscuousMode(org.pcap4j.core.PcapNetworkInterface.PromiscuousMode.PROMISCUOUS).timeoutMillis(10)
                    .immediateMode(true).bufferSize(64 << 20).build();
            handle.setFilter("ether src 02:6d:67:00:00:01", org.pcap4j.core.BpfProgram.BpfCompileMode.OPTIMIZE);
            thread = new Thread(() -> {
                try {
                    handle.loop(-1, (org.pcap4j.core.RawPacketListener) frames::add);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    // loop broken on close
                }
            }, "test-capture");
            thread.setDaemon(true);
            thread.start(); // the handle is open: frames from now on wait in its buffer for the thread
        }

        public java.util.List<byte[]> frames() {
            return frames;
        }

        /** Frames the kernel dropped before this capture could read them (pcap_stats). */
        public long kernelDropped() {
            try {
                return handle.getStats().getNumPacketsDropped();
            } catch (Exception e) {
                return -1;
            }
        }

        @Override
        public void close() throws Exception {
            try {
                handle.breakLoop();
            } catch (Exception e) {
                // already closed
            }
            thread.join(2000);
            handle.close();
        }
    }

    void setUp(boolean up) throws IOException, InterruptedException {
        run("ip", "link", "set", a, up ? "up" : "down");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("ip", "link", "del", a);
    }
}
