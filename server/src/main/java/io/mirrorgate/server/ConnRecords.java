package io.mirrorgate.server;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import io.mirrorgate.protocol.AddressText;
import io.mirrorgate.protocol.ConversationTracker.Conversation;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Conversations as Zeek {@code conn.log} JSON objects, one per line (docs/ANALYSIS.md): Zeek's
 * field names, so Zeek log pipelines read them, and mirrorgate's own counts under their own names.
 * One writer for {@code read --conversations --format jsonl}, {@code watch} and
 * {@code serve --conversations-log}.
 */
public final class ConnRecords {
    private static final JsonFactory JSON = new JsonFactory();

    private ConnRecords() {
    }

    /** A generator over {@code out} that writes compact objects and leaves {@code out} open. */
    public static JsonGenerator generator(OutputStream out) throws IOException {
        JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.setPrettyPrinter(new MinimalPrettyPrinter(""));
        return g;
    }

    /** One conversation as one line; {@code agent} (may be null) names where it was seen. */
    public static void write(JsonGenerator g, Conversation c, String agent) throws IOException {
        boolean ports = (c.proto == 6 || c.proto == 17) && c.portA >= 0;
        g.writeStartObject();
        g.writeNumberField("ts", c.start / 1e6);
        g.writeStringField("id.orig_h", AddressText.of(c.addrA));
        g.writeNumberField("id.orig_p", ports ? c.portA : 0);
        g.writeStringField("id.resp_h", AddressText.of(c.addrB));
        g.writeNumberField("id.resp_p", ports ? c.portB : 0);
        g.writeStringField("proto", c.protoName());
        g.writeNumberField("duration", c.durationMicros() / 1e6);
        g.writeNumberField("orig_pkts", c.framesAB);
        g.writeNumberField("orig_ip_bytes", c.ipBytesAB);
        g.writeNumberField("resp_pkts", c.framesBA);
        g.writeNumberField("resp_ip_bytes", c.ipBytesBA);
        g.writeNumberField("orig_bytes", c.payloadBytesAB);
        g.writeNumberField("resp_bytes", c.payloadBytesBA);
        g.writeStringField("conn_state", c.state());
        g.writeStringField("history", c.history());
        if (c.communityId() != null) {
            g.writeStringField("community_id", c.communityId());
        }
        g.writeNumberField("frame_bytes_ab", c.bytesAB);
        g.writeNumberField("frame_bytes_ba", c.bytesBA);
        if (c.proto == 6) {
            g.writeNumberField("retransmissions", c.retransmissions);
            g.writeNumberField("out_of_order", c.outOfOrder);
            g.writeNumberField("duplicate_acks", c.duplicateAcks);
            g.writeNumberField("zero_windows", c.zeroWindows);
            g.writeNumberField("window_full", c.windowFull);
            g.writeNumberField("lost_segments", c.lostSegments);
            g.writeNumberField("acked_unseen", c.ackedUnseen);
            g.writeNumberField("max_window_orig", c.maxWindowA());
            g.writeNumberField("max_window_resp", c.maxWindowB());
            if (c.handshakeRttMicros >= 0) {
                g.writeNumberField("handshake_rtt", c.handshakeRttMicros / 1e6);
            }
        }
        if (c.mirrorDuplicates > 0) {
            g.writeNumberField("mirror_duplicates", c.mirrorDuplicates);
        }
        if (agent != null) {
            g.writeStringField("agent", agent);
        }
        g.writeEndObject();
        g.writeRaw('\n');
    }
}
