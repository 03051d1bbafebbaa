package io.mirrorgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorgate.protocol.IpPacket;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README's porting table and docs/IPMONITOR.md agree with the code: every call they name exists,
 * every public method of IpMonitor and its Listener is in docs/IPMONITOR.md, and every error code
 * is listed with its number.
 */
class IpMonitorDocsTest {
    private static final Pattern CODE = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern REF = Pattern.compile(
            "\\b(IpMonitor\\.Adapter|IpMonitor|Listener|IpPacket|IpMonitorException)\\.([A-Za-z_]\\w*)");
    private static final Map<String, Class<?>> TYPES = Map.of("IpMonitor", IpMonitor.class, "IpMonitor.Adapter",
            IpMonitor.Adapter.class, "Listener", IpMonitor.Listener.class, "IpPacket", IpPacket.class,
            "IpMonitorException", IpMonitorException.class);

    private static Path root() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("docs/IPMONITOR.md"))) {
            p = p.getParent();
        }
        return p;
    }

    /** Every {@code Type.member} named in backquotes, as "Type.member". */
    static Set<String> references(String markdown) {
        Set<String> out = new TreeSet<>();
        Matcher code = CODE.matcher(markdown);
        while (code.find()) {
            Matcher ref = REF.matcher(code.group(1));
            while (ref.find()) {
                out.add(ref.group(1) + "." + ref.group(2));
            }
        }
        return out;
    }

    private static boolean exists(String ref) {
        int dot = ref.lastIndexOf('.');
        Class<?> type = TYPES.get(ref.substring(0, dot));
        String member = ref.substring(dot + 1);
        if (Arrays.stream(type.getMethods()).anyMatch(m -> m.getName().equals(member))) {
            return true;
        }
        if (Arrays.stream(type.getFields()).anyMatch(f -> f.getName().equals(member))) {
            return true;
        }
        return Arrays.stream(type.getClasses()).anyMatch(c -> c.getSimpleName().equals(member));
    }

    @Test
    void everyCallNamedInTheDocsExists() throws IOException {
        for (String doc : List.of("docs/IPMONITOR.md", "README.md")) {
            Set<String> refs = references(Files.readString(root().resolve(doc)));
            assertTrue(refs.size() > 20, doc + ": " + refs);
            List<String> missing = new ArrayList<>();
            for (String r : refs) {
                if (!exists(r)) {
                    missing.add(r);
                }
            }
            assertEquals(List.of(), missing, doc + " names calls the code does not have");
        }
    }

    @Test
    void everyPublicMethodIsInThePortingTableAndReadmeIsASubset() throws IOException {
        Set<String> full = references(Files.readString(root().resolve("docs/IPMONITOR.md")));
        List<String> undocumented = new ArrayList<>();
        for (Method m : IpMonitor.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !full.contains("IpMonitor." + m.getName())) {
                undocumented.add("IpMonitor." + m.getName());
            }
        }
        for (Method m : IpMonitor.Listener.class.getDeclaredMethods()) {
            if (!full.contains("Listener." + m.getName())) {
                undocumented.add("Listener." + m.getName());
            }
        }
        assertEquals(List.of(), undocumented, "docs/IPMONITOR.md does not name these");
        Set<String> readme = references(Files.readString(root().resolve("README.md")));
        readme.removeIf(r -> !r.startsWith("IpMonitor.") && !r.startsWith("Listener."));
        readme.removeAll(full);
        assertEquals(Set.of(), readme, "README's porting table names calls docs/IPMONITOR.md does not");
    }

    @Test
    void everyErrorCodeIsListedWithItsNumber() throws Exception {
        String doc = Files.readString(root().resolve("docs/IPMONITOR.md"));
        int codes = 0;
        for (Field f : IpMonitor.class.getFields()) {
            if (f.getName().startsWith("ERROR_")) {
                codes++;
                String row = "| " + f.getInt(null) + " | `IpMonitor." + f.getName() + "` |";
                assertTrue(doc.contains(row), "docs/IPMONITOR.md lacks the row " + row);
            }
        }
        assertEquals(codes, doc.split("\n\\| \\d+ \\| `IpMonitor\\.ERROR_", -1).length - 1, "a listed code the code lacks");
    }
}
