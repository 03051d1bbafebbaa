package io.mirrorgate.client;

import io.mirrorgate.protocol.IpPacket;
import io.mirrorgate.protocol.PacketView;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * How decoded packets reach the application, shared by {@link MirrorClient} and
 * {@link MirrorReceiver}: an allocation-free {@link PacketHandler} on the network thread, or
 * immutable {@link IpPacket}s through a bounded queue (drained by the application, or by a
 * dispatcher thread that calls a listener). The network thread never waits: a full queue drops
 * the packet and counts it.
 */
final class PacketDelivery {
    final AtomicLong received = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    private final BlockingQueue<IpPacket> queue;
    private final Consumer<IpPacket> listener;
    private final PacketHandler handler;
    private final String threadName;
    private Thread dispatcher;
    private volatile boolean closed;

    PacketDelivery(int capacity, Consumer<IpPacket> listener, PacketHandler handler, String threadName) {
        if (listener != null && handler != null) {
            throw new IllegalArgumentException("a listener or a packet handler, not both");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity " + capacity);
        }
        this.listener = listener;
        this.handler = handler;
        this.threadName = threadName;
        this.queue = handler == null ? new ArrayBlockingQueue<>(capacity) : null;
    }

    void start() {
        if (listener == null) {
            return;
        }
        dispatcher = new Thread(() -> {
            try {
                while (true) {
                    IpPacket p = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (p != null) {
                        listener.accept(p);
                    } else if (closed) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, threadName);
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    /** The network thread's side: one decoded record. */
    void deliver(PacketView v) {
        received.incrementAndGet();
        if (v.isMalformed()) {
            malformed.incrementAndGet();
        }
        if (handler != null) {
            handler.onPacket(v);
        } else if (!queue.offer(IpPacket.of(v))) {
            dropped.incrementAndGet();
        }
    }

    void readComplete() {
        if (handler != null) {
            handler.onReadComplete();
        }
    }

    /** Adapts {@link #deliver} and {@link #readComplete} to the decoder's handler interface. */
    PacketHandler asHandler() {
        return new PacketHandler() {
            @Override
            public void onPacket(PacketView view) {
                deliver(view);
            }

            @Override
            public void onReadComplete() {
                readComplete();
            }

            @Override
            public boolean needsIpFields() {
                return handler == null || handler.needsIpFields(); // IpPacket events carry the IP fields
            }
        };
    }

    IpPacket take() throws InterruptedException {
        requireQueue();
        return queue.take();
    }

    IpPacket poll(Duration timeout) throws InterruptedException {
        requireQueue();
        return queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    Stream<IpPacket> stream() {
        requireQueue();
        Iterator<IpPacket> it = new Iterator<>() {
            private IpPacket next;

            @Override
            public boolean hasNext() {
                try {
                    while (next == null) {
                        next = queue.poll(100, TimeUnit.MILLISECONDS);
                        if (next == null && closed) {
                            return false;
                        }
                    }
                    return true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }

            @Override
            public IpPacket next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                IpPacket p = next;
                next = null;
                return p;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    private void requireQueue() {
        if (queue == null || listener != null) {
            throw new IllegalStateException("packets go to the listener or packet handler");
        }
    }

    void close() {
        closed = true;
        if (dispatcher != null) {
            try {
                dispatcher.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
