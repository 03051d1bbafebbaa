package io.mirrorgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
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
    private static final Pattern NETTY = Pattern.compile("(netty-[a-z0-9_-]+?)-\\d+\\.\\d+\\.\\d+\\.Final");

    @Test
    void onlyTheNettyModulesTheSdkUses() {
        Set<String> netty = new TreeSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Matcher m = NETTY.matcher(new File(entry).getName());
            if (m.find()) {
                netty.add(m.group(1));
            }
        }
        assertTrue(!netty.contains("netty-all"), netty.toString());
        assertEquals(new TreeSet<>(List.of("netty-buffer", "netty-codec-base", "netty-common", "netty-handler",
                "netty-resolver", "netty-transport", "netty-transport-native-unix-common")), netty);
    }
}
