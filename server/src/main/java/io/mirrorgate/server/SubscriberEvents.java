package io.mirrorgate.server;

/** What a receiving peer ({@link SubscriberHandler}) tells the collector: it joined or left the fan-out. */
interface SubscriberEvents {
    void connected(Subscriber s);

    void closed(Subscriber s);
}
