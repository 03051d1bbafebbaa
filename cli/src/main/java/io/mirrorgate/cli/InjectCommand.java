package io.mirrorgate.cli;

import io.mirrorgate.protocol.CaptureFiles;
import io.mirrorgate.protocol.CaptureReader;
import io.mirrorgate.protocol.Dialect;
import io.mirrorgate.protocol.InjectionFrame;
import io.mirrorgate.protocol.PacketView;
import io.mirrorgate.protocol.StreamFormatException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.util.HexFormat;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code mirrorgate inject --connect HOST:PORT (FILE | --hex HEX)}: sends frames for injection
 * to a collector's client port (which puts them on its adapter), as CommView's Packet Generator
 * does: the frames of a capture file (any format {@code read} takes) or one frame given in hex.
 */
final class InjectCommand {
    static final String NAME = "inject";

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("connect").hasArg().argName("HOST:PORT").desc("a collector's client port (e.g. 127.0.0.1:5556)").get());
        o.addOption(Option.builder().longOpt("hex").hasArg().argName("HEX").desc("send this one frame (hex digits) instead of a file").get());
        o.addOption(Option.builder().longOpt("rate").hasArg().argName("PPS").desc("frames per second (default: as fast as possible)").get());
        o.addOption(Option.builder().longOpt("loop").hasArg().argName("N").desc("send everything N times (default 1)").get());
        o.addOption(Option.builder().longOpt("dialect").hasArg().argName("ncf|ncfx").desc("the collector's client dialect (default ncf)").get());
        CommandLines.tlsOptions(o, false);
        o.addOption(Option.builder("h").longOpt("help").desc("show this help").get());
        return o;
    }

    static int run(String[] args, OutputStream stdout, PrintStream err) throws CliException {
        Options options = options();
        CommandLine cl = CommandLines.parse(NAME, options, args, true);
        if (cl.hasOption("help")) {
            CommandLines.printHelp(stdout, NAME, "--connect HOST:PORT (FILE | --hex HEX) [options]",
                    "Send frames for injection through a collector.", options, null);
            return ExitStatus.OK;
        }
        if (!cl.hasOption("connect")) {
            throw CommandLines.usage(NAME, "--connect HOST:PORT is required");
        }
        InetSocketAddress to = CommandLines.hostPort(NAME, "connect", cl.getOptionValue("connect"));
        boolean hex = cl.hasOption("hex");
        if (hex == (cl.getArgList().size() == 1) || cl.getArgList().size() > 1) {
            throw CommandLines.usage(NAME, "give one FILE or --hex HEX");
        }
        byte[] hexFrame = null;
        if (hex) {
            try {
                hexFrame = HexFormat.of().parseHex(cl.getOptionValue("hex").replaceAll("[\\s:]", ""));
            } catch (IllegalArgumentException e) {
                throw CommandLines.usage(NAME, "--hex: " + e.getMessage());
            }
            if (hexFrame.length > InjectionFrame.MAX_FRAME_LENGTH) {
                throw CommandLines.usage(NAME, "--hex: frame of " + hexFrame.length + " bytes (at most 65535)");
            }
        }
        long rate = CommandLines.positiveLong(NAME, cl, "rate", 0);
        long loops = CommandLines.positiveLong(NAME, cl, "loop", 1);
        Dialect dialect = CommandLines.dialect(NAME, cl);
        long sent = 0;
        long skipped = 0;
        long start = System.nanoTime();
        io.mirrorgate.protocol.Pacer pacer = new io.mirrorgate.protocol.Pacer(rate);
        io.mirrorgate.protocol.Tls tls = CommandLines.clientTls(NAME, cl);
        // one-shot: a collector that is not there is an error (exit 69), not a reason to wait for ever
        try (Socket s = connectOnce(to, tls, err)) {
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            byte[] frame = new byte[InjectionFrame.MAX_FRAME_LENGTH];
            for (long loop = 0; loop < loops; loop++) {
                if (hex) {
                    send(out, dialect, hexFrame, hexFrame.length);
                    sent++;
                    pacer.await(sent, () -> ReplayCommand.flush(out));
                    continue;
                }
                try (CaptureReader in = CaptureFiles.open(Paths.get(cl.getArgList().get(0)), java.time.ZoneOffset.UTC)) {
                    PacketView v = new PacketView();
                    while (in.next(v)) {
                        int len = v.capturedLength();
                        if (len > InjectionFrame.MAX_FRAME_LENGTH || v.compressed()) {
                            skipped++;
                            continue;
                        }
                        v.buffer().getBytes(v.frameOffset(), frame, 0, len);
                        send(out, dialect, frame, len);
                        sent++;
                        pacer.await(sent, () -> ReplayCommand.flush(out));
                    }
                } catch (NoSuchFileException e) {
                    throw new CliException(ExitStatus.NO_INPUT, NAME + ": " + cl.getArgList().get(0) + ": no such file");
                } catch (StreamFormatException e) {
                    out.flush();
                    err.println("mirrorgate: " + NAME + ": " + cl.getArgList().get(0) + ": " + e.getMessage());
                    return ExitStatus.DAMAGED;
                }
            }
            out.flush();
            s.shutdownOutput();
        } catch (IOException e) {
            throw new CliException(ExitStatus.IO_ERROR, NAME + ": connection to " + to + " lost: " + e.getMessage());
        }
        double secs = (System.nanoTime() - start) / 1e9;
        err.printf("mirrorgate: %s: %d frames sent (%d skipped) in %.3f s, %.0f frames/s%n", NAME, sent, skipped, secs,
                sent / Math.max(secs, 1e-9));
        return ExitStatus.OK;
    }

    private static Socket connectOnce(java.net.InetSocketAddress to, io.mirrorgate.protocol.Tls tls, PrintStream err)
            throws CliException {
        try {
            return ReplayCommand.connect(to, 0, tls, err);
        } catch (CliException e) {
            throw new CliException(e.status(), NAME + ": " + e.getMessage());
        }
    }

    private static void send(OutputStream out, Dialect d, byte[] frame, int len) throws IOException {
        io.netty.buffer.ByteBuf prefix = io.netty.buffer.Unpooled.buffer(4);
        io.mirrorgate.protocol.InjectionFrameEncoder.writePrefix(prefix, d, len, 0);
        out.write(prefix.array(), prefix.arrayOffset(), prefix.readableBytes());
        out.write(frame, 0, len);
    }

}
