package io.mirrorgate.cli;

import io.mirrorgate.client.IpMonitor;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code mirrorgate adapters}: IPMonitor's ListAdapters / ListIPAddresses ({@link IpMonitor#listAdapters()}). */
final class AdaptersCommand {
    static final String NAME = "adapters";

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder("h").longOpt("help").desc("show this help").get());
        return o;
    }

    static int run(String[] args, OutputStream stdout, PrintStream err) throws CliException {
        CommandLine cl = CommandLines.parse(NAME, options(), args, false);
        if (cl.hasOption("help")) {
            CommandLines.printHelp(stdout, NAME, "", "List the adapters libpcap can capture on and inject into, "
                    + "with their addresses.", options(), null);
            return ExitStatus.OK;
        }
        List<IpMonitor.Adapter> adapters;
        try (IpMonitor m = new IpMonitor()) {
            adapters = m.listAdapters();
        } catch (java.io.IOException e) {
            throw new CliException(ExitStatus.UNAVAILABLE, NAME + ": " + e.getMessage());
        }
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        for (IpMonitor.Adapter d : adapters) {
            List<String> flags = new ArrayList<>();
            flags.add(d.up() ? "up" : "down");
            if (d.running()) {
                flags.add("running");
            }
            if (d.loopback()) {
                flags.add("loopback");
            }
            out.println(d.name() + "\t" + String.join(",", flags) + "\t" + (d.mac() == null ? "-" : d.mac())
                    + "\t" + (d.description() == null ? "" : d.description()));
            for (int k = 0; k < d.addresses().size(); k++) {
                String mask = d.netmasks().get(k);
                out.println("\t" + d.addresses().get(k) + (mask != null ? " netmask " + mask : ""));
            }
        }
        out.flush();
        return ExitStatus.OK;
    }
}
