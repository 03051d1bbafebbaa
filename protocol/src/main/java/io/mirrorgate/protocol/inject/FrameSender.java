package io.mirrorgate.protocol.inject;

import io.mirrorgate.protocol.Libpcap;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends injection frames onto an adapter on a thread of its own (a send can block on a full
 * transmit queue, and an event loop must never), batch by batch in the order they were offered:
 * through an AF_PACKET socket with one {@code sendmmsg} per batch, or libpcap's
 * {@code pcap_sendpacket} per frame ({@link InjectMethod}). Batches wait in a queue bounded in bytes;
 * a batch that does not fit is dropped and counted.
 */
public final class FrameSender implements AutoCloseable {
    /** Hears what became of the frames; called on the sender thread. */
    public interface Listener {
        /** A batch is done: {@code sent} frames went out, {@code failed} did not (each reported first). */
        void done(FrameBatch batch, int sent, int failed);

        /** Frame {@code index} of a batch was refused; {@code reason} in the kernel's or libpcap's words. */
        void failed(FrameBatch batch, int index, String reason);

        /** Hears nothing: the sender's own {@link #sent}, {@link #failed} and {@link #dropped} count. */
        Listener COUNTS_ONLY = new Listener() {
            @Override
            public void done(FrameBatch batch, int sent, int failed) {
            }

            @Override
            public void failed(FrameBatch batch, int index, String reason) {
            }
        };
    }

    private final FrameTransmitter transmitter;
    private final String description;
    private final String warning;
    private final long maxQueuedBytes;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final LinkedBlockingQueue<FrameBatch> queue = new LinkedBlockingQueue<>();
    private final Listener listener;
    private final Thread thread;
    private volatile boolean closed;
    /** Frames sent, failed (the adapter refused them), and dropped (the queue was full), over all batches. */
    public final AtomicLong sent = new AtomicLong();
    public final AtomicLong failed = new AtomicLong();
    public final AtomicLong dropped = new AtomicLong();

    /**
     * Opens the adapter with the method asked for ({@link InjectMethod#AUTO}: AF_PACKET where the
     * platform has it and the socket opens, else libpcap) and starts the sender thread. An adapter
     * that does not exist yet is not an error: its frames fail, counted, until it appears.
     *
     * @throws IOException when the method asked for cannot be used here, with the reason
     */
    public FrameSender(String adapter, InjectMethod method, long maxQueuedBytes, String threadName, Listener listener)
            throws IOException {
        this(adapter, method, maxQueuedBytes, threadName, listener, PacketSocket::open);
    }

    /** Opens a packet socket on an interface (the seam through which a test makes AF_PACKET fail). */
    interface PacketOpener {
        PacketSocket open(String adapter) throws IOException;
    }

    FrameSender(String adapter, InjectMethod method, long maxQueuedBytes, String threadName, Listener listener,
                PacketOpener opener) throws IOException {
        this.maxQueuedBytes = maxQueuedBytes;
        this.listener = listener;
        String note = null;
        String warn = null;
        FrameTransmitter t;
        String packetUnavailable = PacketSocket.unavailableReason();
        if (method == InjectMethod.PCAP || method == InjectMethod.AUTO && packetUnavailable != null) {
            String lib = Libpcap.unavailableReason();
            if (lib != null) {
                throw new IOException(method == InjectMethod.PCAP ? lib : lib + "; and " + packetUnavailable);
            }
            PcapTransmitter p = new PcapTransmitter(adapter);
            warn = p.openError();
            t = p;
            if (method == InjectMethod.AUTO) {
                note = packetUnavailable;
            }
        } else {
            PacketTransmitter p = null;
            try {
                p = new PacketTransmitter(adapter, opener.open(adapter));
            } catch (PacketSocket.NoSuchInterface e) {
                p = new PacketTransmitter(adapter, null);
                warn = "no such interface";
            } catch (IOException e) {
                if (method == InjectMethod.AF_PACKET || Libpcap.unavailableReason() != null) {
                    throw e;
                }
                note = e.getMessage();
            }
            if (p != null) {
                t = p;
            } else {
                PcapTransmitter q = new PcapTransmitter(adapter);
                warn = q.openError();
                t = q;
            }
        }
        this.transmitter = t;
        this.description = t.method() + (note == null ? "" : " (AF_PACKET: " + note + ")");
        this.warning = warn;
        this.thread = new Thread(this::loop, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** How frames are sent, for the start-up line, e.g. "AF_PACKET sendmmsg". */
    public String method() {
        return description;
    }

    /** Why the adapter could not be opened at start (its frames fail until it can), or null. */
    public String openWarning() {
        return warning;
    }

    /**
     * Queues a batch, giving it up. False when closed or when it would pass the bound: the batch is
     * then released and its frames counted as dropped.
     */
    public boolean offer(FrameBatch batch) {
        if (batch.isEmpty()) {
            batch.release();
            return true;
        }
        int bytes = batch.bytes();
        if (closed || queuedBytes.addAndGet(bytes) > maxQueuedBytes) {
            if (!closed) {
                queuedBytes.addAndGet(-bytes);
            }
            dropped.addAndGet(batch.count());
            batch.release();
            return false;
        }
        queue.add(batch);
        return true;
    }

    private void loop() {
        while (true) {
            FrameBatch b;
            try {
                b = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (b == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            send(b);
        }
    }

    private void send(FrameBatch b) {
        int ok;
        try {
            ok = transmitter.send(b, (index, reason) -> listener.failed(b, index, reason));
        } finally {
            queuedBytes.addAndGet(-b.bytes());
        }
        int bad = b.count() - ok;
        sent.addAndGet(ok);
        failed.addAndGet(bad);
        try {
            listener.done(b, ok, bad);
        } finally {
            b.release();
        }
    }

    /** Sends what is queued (up to 5 s), then stops and closes the adapter. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (FrameBatch b; (b = queue.poll()) != null;) {
            dropped.addAndGet(b.count());
            b.release();
        }
        transmitter.close();
    }
}
