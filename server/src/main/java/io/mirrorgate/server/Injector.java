package io.mirrorgate.server;

import io.mirrorgate.protocol.InjectionFrame;

/**
 * Where injection frames that passed the policy go: the adapter ({@link PcapInjector}) or the
 * agents ({@link AgentInjector}).
 */
interface Injector extends AutoCloseable {
    /** One frame; takes ownership. */
    void inject(InjectionFrame frame, InjectContext ctx);

    /** End of a socket read on the sending connection. */
    void flush(InjectContext ctx);

    /** One line for the start-up banner: where frames go, or why they go nowhere. */
    String state();

    @Override
    void close();
}
