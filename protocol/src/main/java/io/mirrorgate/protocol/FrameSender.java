package io.mirrorgate.protocol;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.PcapHandle;

/**
 * Sends frames onto an adapter with libpcap's {@code pcap_sendpacket}, on a thread of its own:
 * a send can block (a full transmit queue), and an event loop must never. Frames wait in a bounded
 * queue and go out in order; a frame that finds the queue full is dropped and counted.
 */
public final class FrameSender implements AutoCloseable {
    private final PcapHandle handle;
    private final BlockingQueue<byte[]> queue;
    private final Thread thread;
    private volatile boolean closed;
    /** Frames sent, failed (libpcap refused them), and dropped (the queue was full). */
    public final AtomicLong sent = new AtomicLong();
    public final AtomicLong failed = new AtomicLong();
    public final AtomicLong dropped = new AtomicLong();

    /**
     * @param handle an open libpcap handle, closed with this sender
     * @param capacity frames that may wait
     * @param threadName the sending thread's name
     */
    public FrameSender(PcapHandle handle, int capacity, String threadName) {
        this.handle = handle;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::loop, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues a frame (the caller gives it up); false, counted as dropped, when the queue is full. */
    public boolean offer(byte[] frame) {
        if (closed || !queue.offer(frame)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    private void loop() {
        while (true) {
            byte[] f;
            try {
                f = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (f == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            try {
                handle.sendPacket(f);
                sent.incrementAndGet();
            } catch (Exception e) {
                failed.incrementAndGet();
            }
        }
    }

    /** Sends what is queued (up to 5 s), then stops and closes the handle. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handle.close();
    }
}
