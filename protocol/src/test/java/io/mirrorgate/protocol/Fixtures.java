package io.mirrorgate.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The repository's testdata/ folder, found from the module's working directory. */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path dir() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null) {
            Path t = p.resolve("testdata");
            if (Files.isDirectory(t.resolve("golden"))) {
                return t;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("testdata/ not found above " + Paths.get("").toAbsolutePath());
    }

    public static Path path(String name) {
        return dir().resolve(name);
    }

    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Start offsets of the NCF records of a file, computed from data_len alone. */
    public static List<int[]> ncfRecords(byte[] data) {
        List<int[]> out = new ArrayList<>();
        int off = 0;
        while (off + 24 <= data.length) {
            int len = 24 + ((data[off] & 0xFF) | (data[off + 1] & 0xFF) << 8);
            out.add(new int[] {off, len});
            off += len;
        }
        return out;
    }

    /** Start offsets and lengths of the NCFX records of a file. */
    public static List<int[]> ncfxRecords(byte[] data) {
        List<int[]> out = new ArrayList<>();
        int off = 0;
        while (off + 20 <= data.length) {
            int len = (data[off] & 0xFF) | (data[off + 1] & 0xFF) << 8 | (data[off + 2] & 0xFF) << 16 | (data[off + 3] & 0xFF) << 24;
            out.add(new int[] {off, len});
            off += len;
        }
        return out;
    }
}
