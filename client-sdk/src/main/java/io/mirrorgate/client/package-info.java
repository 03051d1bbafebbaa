/**
 * The Java client SDK: {@link io.mirrorgate.client.MirrorClient} (subscribe to a collector),
 * {@link io.mirrorgate.client.MirrorReceiver} (accept CommView agents directly),
 * {@link io.mirrorgate.client.MirrorAgent} (mirror a local adapter to a collector) and
 * {@link io.mirrorgate.client.IpMonitor} (the IPWorks and Callback IPMonitor components, for
 * porting). Everything an application links against, and nothing of the collector or the
 * command line.
 */
package io.mirrorgate.client;
