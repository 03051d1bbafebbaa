/**
 * Runnable examples compiled with the SDK: print packets from a collector, inject a capture file
 * through one, and receive from CommView without a collector.
 */
package io.mirrorgate.client.examples;
