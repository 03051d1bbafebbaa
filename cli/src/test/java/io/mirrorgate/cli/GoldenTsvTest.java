package io.mirrorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code read --format tsv --timezone UTC} against the golden TSVs tshark made
 * (testdata/tools/make_golden.sh): every column of every well-formed packet, and frame, time and
 * lengths of the malformed ones.
 */
class GoldenTsvTest {
    /** Fixtures whose packets contradict themselves on purpose: only the first four columns must agree. */
    private static final List<String> MALFORMED = List.of("eth-malformed.pcap", "eth-malformed.ncf");

    static Stream<String> goldenFiles() throws IOException {
        try (Stream<Path> s = Files.list(Cli.testdata("golden"))) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tsv"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().collect(Collectors.toList());
            assertTrue(names.size() >= 19, "golden files: " + names);
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("goldenFiles")
    void agreesWithTshark(String fixture) throws IOException {
        List<String> golden = Files.readAllLines(Cli.testdata("golden/" + fixture + ".tsv"));
        Cli r = Cli.run("read", "--format", "tsv", "--timezone", "UTC", Cli.testdata(fixture).toString());
        assertEquals(0, r.status, r.err);
        assertEquals("", r.err);
        List<String> ours = Arrays.asList(r.out.split("\n", -1));
        assertEquals("", ours.get(ours.size() - 1), "output ends with a newline");
        ours = ours.subList(0, ours.size() - 1);
        assertEquals(golden.size(), ours.size(), "line count");
        assertEquals(golden.get(0), ours.get(0), "header");
        boolean malformed = MALFORMED.contains(fixture);
        for (int k = 1; k < golden.size(); k++) {
            String[] g = golden.get(k).split("\t", -1);
            String[] o = ours.get(k).split("\t", -1);
            assertEquals(21, o.length, "columns in line " + k);
            if (malformed) {
                assertEquals(String.join("\t", Arrays.copyOf(g, 4)), String.join("\t", Arrays.copyOf(o, 4)),
                        fixture + " frame " + k);
            } else {
                assertEquals(golden.get(k), ours.get(k), fixture + " frame " + k);
            }
        }
    }
}
