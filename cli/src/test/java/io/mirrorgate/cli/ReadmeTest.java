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
}
