/**
 * The mirrorgate executable: {@link io.mirrorgate.cli.Main} dispatches to one class per command
 * (serve, read, watch, replay, inject, agent, adapters), option parsing, the output formats (TSV,
 * text, JSON Lines, pcap), exit statuses and logging. Commands are thin: options, then calls into
 * the SDK, the collector library or the protocol module.
 */
package io.mirrorgate.cli;
