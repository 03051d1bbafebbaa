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
final class Veth implements AutoCloseable {
    final String a;
    final String b;

    Veth(String prefix) throws IOException, InterruptedException {
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

    void setUp(boolean up) throws IOException, InterruptedException {
        run("ip", "link", "set", a, up ? "up" : "down");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("ip", "link", "del", a);
    }
}
