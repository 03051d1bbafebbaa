/**
 * The collector library: listeners for agents, subscribers and /metrics, fan-out, capture files,
 * injection, mirror-out and statistics. {@link io.mirrorgate.server.Collector} only wires the
 * parts; handlers see narrow interfaces (AgentEvents, RecordSink, SubscriberEvents, Injection),
 * never the collector. docs/ARCHITECTURE.md follows a record and an injection frame through it.
 * Depends on the protocol module only; command-line concerns belong in the cli module.
 */
package io.mirrorgate.server;
