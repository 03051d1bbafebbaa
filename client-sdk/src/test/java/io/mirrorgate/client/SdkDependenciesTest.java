package io.mirrorgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Regression: the SDK pulled in netty-all (54 jars, 22 MB with everything else) into every
 * program that used it. It takes only the Netty modules it uses.
 */
class SdkDependenciesTest {
    @Test
    void onlyTheNettyModulesTheSdkUses() throws java.io.IOException {
        // what an application that depends on the SDK gets, as Maven resolved it for this build
        // (maven-dependency-plugin list, runtime scope); the test classpath also holds the collector
        java.nio.file.Path list = java.nio.file.Paths.get("target", "runtime-dependencies.txt");
        Set<String> netty = new TreeSet<>();
        Pattern line = Pattern.compile("io\\.netty:(netty-[a-z0-9_-]+):jar");
        for (String l : java.nio.file.Files.readAllLines(list)) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                netty.add(m.group(1));
            }
        }
        assertTrue(!netty.contains("netty-all"), netty.toString());
        assertEquals(new TreeSet<>(List.of("netty-buffer", "netty-codec-base", "netty-common", "netty-handler",
                "netty-resolver", "netty-transport", "netty-transport-native-unix-common")), netty);
    }
}
