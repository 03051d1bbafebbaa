package io.mirrorgate.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Runs the command line in-process and captures what it prints. */
final class Cli {
    final int status;
    final String out;
    final byte[] outBytes;
    final String err;

    private Cli(int status, byte[] out, String err) {
        this.status = status;
        this.outBytes = out;
        this.out = new String(out, StandardCharsets.UTF_8);
        this.err = err;
    }

    static Cli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, out, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    static Path testdata(String name) {
        return io.mirrorgate.server.TestAgents.testdata(name);
    }
}
