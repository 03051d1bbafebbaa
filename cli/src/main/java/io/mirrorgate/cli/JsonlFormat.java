package io.mirrorgate.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import io.mirrorgate.protocol.AddressText;
import io.mirrorgate.protocol.RecordDirection;
import io.mirrorgate.protocol.Medium;
import io.mirrorgate.protocol.PacketView;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One JSON object per line with the field names of SPEC section 3 (payload as hex). Fields that
 * do not apply are left out rather than written as null.
 */
final class JsonlFormat implements EventFormat {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final JsonGenerator g;
    private final int communityIdSeed;
    private char[] hex = new char[4096];

    JsonlFormat(OutputStream out) throws IOException {
        this(out, 0);
    }

    JsonlFormat(OutputStream out, int communityIdSeed) throws IOException {
        this.communityIdSeed = communityIdSeed;
        g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.setPrettyPrinter(new MinimalPrettyPrinter(""));
    }

    @Override
    public void begin() {
    }

    @Override
    public void write(long frame, PacketView v, String analysis) throws IOException {
        g.writeStartObject();
        g.writeNumberField("frame", frame);
        g.writeNumberField("timestamp", v.timestampMicros());
        g.writeNumberField("capturedLength", v.capturedLength());
        g.writeNumberField("originalLength", v.originalLength());
        g.writeNumberField("ipVersion", v.ipVersion());
        if (v.hasIpHeader()) {
            boolean v4 = v.ipVersion() == 4;
            g.writeStringField("sourceAddress", v4 ? AddressText.ipv4(v.buffer(), v.sourceAddressOffset())
                    : AddressText.ipv6(v.buffer(), v.sourceAddressOffset()));
            g.writeStringField("destinationAddress", v4 ? AddressText.ipv4(v.buffer(), v.destinationAddressOffset())
                    : AddressText.ipv6(v.buffer(), v.destinationAddressOffset()));
            if (v.hasPorts()) {
                g.writeNumberField("sourcePort", v.sourcePort());
                g.writeNumberField("destinationPort", v.destinationPort());
            }
            g.writeNumberField("tos", v.tos());
            if (v.id() >= 0) {
                g.writeNumberField("id", v.id());
                g.writeNumberField("flags", v.ipFlags());
                g.writeNumberField("offset", v.fragmentOffset());
            }
            g.writeNumberField("ttl", v.ttl());
            if (v.checksum() >= 0) {
                g.writeNumberField("checksum", v.checksum());
                g.writeBooleanField("checksumValid", v.checksumValid());
            }
            g.writeNumberField("ipProtocol", v.ipProtocol());
            g.writeNumberField("payloadLength", v.payloadLength());
            g.writeFieldName("payload");
            writeHex(v);
            if (v.hasTcp()) {
                g.writeNumberField("tcpFlags", v.tcpFlags());
                g.writeNumberField("seq", v.seq());
                g.writeNumberField("ack", v.ack());
                g.writeNumberField("window", v.window());
            }
        } else if (v.etherType() >= 0) {
            g.writeNumberField("etherType", v.etherType());
        }
        if (v.source() != null) {
            g.writeStringField("source", v.source().toString());
        }
        g.writeStringField("medium", Medium.name(v.medium()));
        if (v.direction() >= 0) {
            g.writeStringField("direction", RecordDirection.name(v.direction()));
        }
        if (v.hasWifi()) {
            g.writeObjectFieldStart("wifi");
            g.writeNumberField("signalPercent", v.wifiSignalPercent());
            g.writeNumberField("rate100kbps", v.wifiRate100kbps());
            g.writeNumberField("band", v.wifiBand());
            g.writeNumberField("channel", v.wifiChannel());
            g.writeNumberField("signalDbm", v.wifiSignalDbm());
            g.writeNumberField("noiseDbm", v.wifiNoiseDbm());
            g.writeBooleanField("decrypted", v.wifiDecrypted());
            g.writeBooleanField("badFcs", v.wifiBadFcs());
            if (v.wifiMcsIndex() >= 0) {
                g.writeNumberField("mcsIndex", v.wifiMcsIndex());
            }
            g.writeEndObject();
        }
        if (v.compressed()) {
            g.writeBooleanField("compressed", true);
        }
        if (v.truncated()) {
            g.writeBooleanField("truncated", true);
        }
        if (v.isMalformed()) {
            g.writeStringField("malformed", v.malformedReason());
        }
        String communityId = io.mirrorgate.protocol.CommunityId.of(v, communityIdSeed);
        if (communityId != null) {
            g.writeStringField("communityId", communityId);
        }
        if (analysis != null) {
            g.writeArrayFieldStart("analysis");
            if (!analysis.isEmpty()) {
                for (String flag : analysis.split(",")) {
                    g.writeString(flag);
                }
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeRaw('\n');
    }

    private void writeHex(PacketView v) throws IOException {
        int len = v.payloadCapturedLength();
        if (hex.length < len * 2) {
            hex = new char[len * 2];
        }
        for (int k = 0; k < len; k++) {
            int b = v.buffer().getUnsignedByte(v.payloadOffset() + k);
            hex[2 * k] = HEX[b >> 4];
            hex[2 * k + 1] = HEX[b & 0xF];
        }
        g.writeString(hex, 0, len * 2);
    }

    @Override
    public void flush() throws IOException {
        g.flush();
    }
}
