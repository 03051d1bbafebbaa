package io.mirrorgate.cli;

import io.mirrorgate.protocol.Libpcap;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.pcap4j.core.PcapAddress;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;
import org.pcap4j.util.LinkLayerAddress;

/** {@code mirrorgate adapters}: IPMonitor's ListAdapters / ListIPAddresses, from libpcap. */
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
        String why = Libpcap.unavailableReason();
        if (why != null) {
            throw new CliException(ExitStatus.UNAVAILABLE, NAME + ": " + why);
        }
        List<PcapNetworkInterface> devs;
        try {
            devs = Pcaps.findAllDevs();
        } catch (PcapNativeException e) {
            throw new CliException(ExitStatus.UNAVAILABLE, NAME + ": " + e.getMessage());
        }
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        for (PcapNetworkInterface d : devs) {
            List<String> flags = new ArrayList<>();
            flags.add(d.isUp() ? "up" : "down");
            if (d.isRunning()) {
                flags.add("running");
            }
            if (d.isLoopBack()) {
                flags.add("loopback");
            }
            List<String> macs = new ArrayList<>();
            for (LinkLayerAddress a : d.getLinkLayerAddresses()) {
                macs.add(a.toString());
            }
            out.println(d.getName() + "\t" + String.join(",", flags) + "\t" + (macs.isEmpty() ? "-" : String.join(",", macs))
                    + "\t" + (d.getDescription() == null ? "" : d.getDescription()));
            for (PcapAddress a : d.getAddresses()) {
                if (a.getAddress() != null) {
                    out.println("\t" + io.mirrorgate.protocol.AddressText.of(a.getAddress().getAddress())
                            + (a.getNetmask() != null ? " netmask " + io.mirrorgate.protocol.AddressText.of(a.getNetmask().getAddress()) : ""));
                }
            }
        }
        out.flush();
        return ExitStatus.OK;
    }
}
