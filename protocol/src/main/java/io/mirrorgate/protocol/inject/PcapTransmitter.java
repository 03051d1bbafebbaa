package io.mirrorgate.protocol.inject;

import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/**
 * libpcap's {@code pcap_sendpacket}, one call per frame, as CommView's Packet Generator sends. A
 * frame libpcap refuses is retried once with a reopened handle (an interface that went down and
 * came back needs a fresh one).
 */
final class PcapTransmitter implements FrameTransmitter {
    private static final int SNAPLEN = 65_536;
    private final String adapter;
    private PcapHandle handle;
    private String openError;

    PcapTransmitter(String adapter) {
        this.adapter = adapter;
        open();
    }

    /** Null when the adapter is open, else libpcap's reason. */
    String openError() {
        return openError;
    }

    private void open() {
        try {
            PcapNetworkInterface nif = Pcaps.getDevByName(adapter);
            if (nif == null) {
                openError = "no such interface";
                return;
            }
            handle = nif.openLive(SNAPLEN, PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS, 10);
            openError = null;
        } catch (PcapNativeException e) {
            openError = String.valueOf(e.getMessage());
            handle = null;
        }
    }

    @Override
    public int send(FrameBatch batch, Failures failures) {
        int sent = 0;
        for (int k = 0; k < batch.count(); k++) {
            byte[] bytes = batch.copy(k);
            String error = null;
            for (int attempt = 0; attempt < 2; attempt++) {
                if (handle == null) {
                    open();
                    if (handle == null) {
                        error = "adapter " + adapter + " cannot be opened: " + openError;
                        continue;
                    }
                }
                try {
                    handle.sendPacket(bytes);
                    error = null;
                    break;
                } catch (PcapNativeException | NotOpenException e) {
                    error = String.valueOf(e.getMessage());
                    if (attempt == 0) {
                        handle.close();
                        handle = null;
                    }
                }
            }
            if (error == null) {
                sent++;
            } else {
                failures.failed(k, error);
            }
        }
        return sent;
    }

    @Override
    public String method() {
        return "libpcap pcap_sendpacket";
    }

    @Override
    public void close() {
        if (handle != null) {
            handle.close();
            handle = null;
        }
    }
}
