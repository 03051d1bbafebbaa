package io.mirrorgate.server;

import io.mirrorgate.protocol.AddressText;
import io.mirrorgate.protocol.ConversationTracker;
import java.util.Comparator;

/**
 * A live conversation as the web console shows it: a copy made on the agent's event loop (the
 * tracker's own objects change under it), with its agent, endpoints, counts and TCP flags.
 */
public record ConversationRow(String agent, String proto, String addrA, int portA, String addrB, int portB,
                              long frames, long bytes, long retransmissions, long zeroWindows, boolean reset,
                              String state, String history, long startMicros, long lastMicros, String communityId) {
    /** Rows each agent keeps per order. */
    static final int TOP = 20;
    static final Comparator<ConversationTracker.Conversation> BY_BYTES =
            Comparator.comparingLong((ConversationTracker.Conversation c) -> c.bytesAB + c.bytesBA);
    static final Comparator<ConversationTracker.Conversation> BY_RETRANSMISSIONS =
            Comparator.comparingLong((ConversationTracker.Conversation c) -> c.retransmissions)
                    .thenComparingLong(c -> c.bytesAB + c.bytesBA);
    static final Comparator<ConversationRow> ROWS_BY_BYTES = Comparator.comparingLong(ConversationRow::bytes).reversed();
    static final Comparator<ConversationRow> ROWS_BY_RETRANSMISSIONS =
            Comparator.comparingLong(ConversationRow::retransmissions).thenComparingLong(ConversationRow::bytes).reversed();

    static ConversationRow of(ConversationTracker.Conversation c, String agent) {
        String h = c.history();
        return new ConversationRow(agent, c.protoName(), AddressText.of(c.addrA), c.portA, AddressText.of(c.addrB), c.portB,
                c.framesAB + c.framesBA, c.bytesAB + c.bytesBA, c.retransmissions, c.zeroWindows,
                h.indexOf('R') >= 0 || h.indexOf('r') >= 0, c.state(), h, c.start, c.last, c.communityId());
    }
}
