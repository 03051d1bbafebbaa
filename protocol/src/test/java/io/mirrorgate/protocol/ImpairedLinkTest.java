package io.mirrorgate.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The flags on real TCP through an impaired link (testdata/impaired.pcap, make_impaired.py),
 * scored against what the impairment really did to every segment (testdata/impaired.truth): a
 * segment the sender sent twice should be flagged as resent, an original held back on the way
 * should not. mirrorgate's rules must catch more resends than tshark and misflag fewer originals
 * on the same capture; both scores are printed (docs/ANALYSIS.md quotes them).
 */
class ImpairedLinkTest {
    /** Resends caught, resends in all, originals misflagged, originals in all. */
    record Score(int caught, int resends, int misflagged, int originals) {
        @Override
        public String toString() {
            return String.format("caught %d of %d resent segments, flagged %d of %d originals as resent", caught, resends,
                    misflagged, originals);
        }
    }

    static Score score(List<String> truth, List<String> flags) {
        int caught = 0;
        int resends = 0;
        int misflagged = 0;
        int originals = 0;
        for (int k = 1; k < truth.size(); k++) {
            String[] t = truth.get(k).split("\t");
            boolean resent = false;
            for (String f : flags.get(k - 1).split(",")) {
                resent |= (TcpAnalysis.flag(f) & TcpAnalysis.ANY_RETRANSMISSION) != 0;
            }
            if (t[1].equals("resend")) {
                resends++;
                caught += resent ? 1 : 0;
            } else if (t[1].equals("original")) {
                originals++;
                misflagged += resent ? 1 : 0;
            }
        }
        return new Score(caught, resends, misflagged, originals);
    }

    /**
     * A copy of a little-endian Ethernet pcap with every IPv4 identification 0 (as some stacks send
     * them): what mirrorgate's rules fall back on when the identification tells nothing.
     */
    static java.nio.file.Path withoutIpIds(java.nio.file.Path in, java.nio.file.Path out) throws IOException {
        byte[] b = Files.readAllBytes(in);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int k = 24;
        while (k + 16 <= b.length) {
            int incl = bb.getInt(k + 8);
            int f = k + 16;
            if (incl >= 34 && b[f + 12] == 0x08 && b[f + 13] == 0x00) {
                b[f + 18] = 0;
                b[f + 19] = 0;
            }
            k = f + incl;
        }
        return Files.write(out, b);
    }

    @Test
    void mirrorRulesCatchMoreResendsAndMisflagFewerOriginalsThanTshark() throws IOException {
        List<String> truth = Files.readAllLines(Fixtures.path("impaired.truth"));
        Score tshark = score(truth, Files.readAllLines(Fixtures.path("golden/impaired.pcap.analysis")));
        Score wireshark = score(truth, TcpAnalysisTest.ours("impaired.pcap", TcpAnalysis.Rules.WIRESHARK));
        Score ours = score(truth, TcpAnalysisTest.ours("impaired.pcap", TcpAnalysis.Rules.MIRROR));
        System.out.println("impaired.pcap, tshark:              " + tshark);
        System.out.println("impaired.pcap, mirrorgate (mirror): " + ours);
        assertTrue(tshark.equals(wireshark), "Wireshark's rules score as tshark: " + wireshark + " / " + tshark);
        assertTrue(ours.caught > tshark.caught, ours + " / " + tshark);
        assertTrue(ours.misflagged < tshark.misflagged, ours + " / " + tshark);
    }

    @Test
    void withoutIpIdentificationsTheTimingRuleStillBeatsTshark(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        List<String> truth = Files.readAllLines(Fixtures.path("impaired.truth"));
        java.nio.file.Path zeroed = withoutIpIds(Fixtures.path("impaired.pcap"), dir.resolve("zero-ids.pcap"));
        Score tshark = score(truth, TcpAnalysisTest.ours(zeroed, TcpAnalysis.Rules.WIRESHARK));
        Score ours = score(truth, TcpAnalysisTest.ours(zeroed, TcpAnalysis.Rules.MIRROR));
        System.out.println("impaired.pcap, IPv4 ids zeroed, Wireshark's rules: " + tshark);
        System.out.println("impaired.pcap, IPv4 ids zeroed, mirrorgate:        " + ours);
        assertTrue(ours.caught > tshark.caught, ours + " / " + tshark);
        assertTrue(ours.misflagged < tshark.misflagged, ours + " / " + tshark);
    }
}
