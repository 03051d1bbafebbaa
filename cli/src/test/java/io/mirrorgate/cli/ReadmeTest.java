package io.mirrorgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.cli.Option;
import org.junit.jupiter.api.Test;

/** The README's option tables must list exactly the options the commands accept. */
class ReadmeTest {
    private static final Pattern ROW_OPTION = Pattern.compile("^\\| `(?:-\\w, )?`?--([a-z-]+)");

    static Set<String> documented(String command) throws IOException {
        List<String> lines = Files.readAllLines(Cli.testdata("").getParent().resolve("README.md"));
        Set<String> out = new TreeSet<>();
        boolean in = false;
        for (String l : lines) {
            if (l.startsWith("### ")) {
                in = l.startsWith("### `mirrorgate " + command + " ");
                continue;
            }
            if (in) {
                Matcher m = Pattern.compile("--([a-z-]+)").matcher(l.startsWith("| `") ? l.substring(0, l.indexOf('|', 2)) : "");
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        return out;
    }

    static Set<String> accepted(org.apache.commons.cli.Options options) {
        Set<String> out = new TreeSet<>();
        for (Option o : options.getOptions()) {
            if (!o.getLongOpt().equals("help")) {
                out.add(o.getLongOpt());
            }
        }
        return out;
    }

    @Test
    void readOptionsTableMatchesTheCode() throws IOException {
        Set<String> doc = documented("read");
        assertTrue(!doc.isEmpty(), "no option table found for read");
        assertEquals(accepted(ReadCommand.options()), doc);
    }

    @Test
    void serveOptionsTableMatchesTheCode() throws IOException {
        Set<String> doc = documented("serve");
        assertTrue(!doc.isEmpty(), "no option table found for serve");
        assertEquals(accepted(ServeCommand.options()), doc);
    }

    @Test
    void sdkCommandsOptionTablesMatchTheCode() throws IOException {
        assertEquals(accepted(WatchCommand.options()), documented("watch"));
        assertEquals(accepted(ReplayCommand.options()), documented("replay"));
        assertEquals(accepted(InjectCommand.options()), documented("inject"));
        assertEquals(accepted(AgentCommand.options()), documented("agent"));
    }

    @Test
    void quickStartShowsTheTwoCommands() throws IOException {
        String readme = Files.readString(Cli.testdata("").getParent().resolve("README.md"));
        String quick = readme.substring(readme.indexOf("## Quick start"), readme.indexOf("## What it does"));
        assertTrue(quick.contains("bin/mirrorgate serve"), quick);
        assertTrue(quick.contains("bin/test"), quick);
        assertTrue(ROW_OPTION.matcher("| `--count N` |").find());
    }

    /** The lines of the README's code block that follows the line {@code prompt}. */
    private static List<String> example(String prompt) throws IOException {
        List<String> lines = Files.readAllLines(Cli.testdata("").getParent().resolve("README.md"));
        int k = lines.indexOf(prompt);
        assertTrue(k > 0, prompt);
        List<String> out = new java.util.ArrayList<>();
        for (int j = k + 1; !lines.get(j).equals("```"); j++) {
            out.add(lines.get(j));
        }
        return out;
    }

    /** The README's conversation table and trace lines are what read prints for the capture. */
    @Test
    void readmeAnalysisExamplesAreRealOutput() throws IOException {
        String capture = Cli.testdata("impaired.pcap").toString();
        List<String> table = example("$ bin/mirrorgate read --conversations --format tsv testdata/impaired.pcap | column -t");
        String[] tsv = Cli.run("read", "--conversations", "--format", "tsv", capture).out.split("\n");
        assertEquals(tsv.length, table.size());
        for (int k = 0; k < tsv.length; k++) {
            assertEquals(List.of(tsv[k].replaceAll("\t+", " ").trim().split(" ")), List.of(table.get(k).trim().split("\\s+")));
        }
        List<String> trace = example("$ bin/mirrorgate read --analysis testdata/impaired.pcap | sed -n 62,71p");
        assertEquals(List.of(Cli.run("read", "--analysis", capture).out.split("\n")).subList(61, 71), trace);
    }
}
