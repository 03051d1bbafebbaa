/**
 * Benchmarks: JMH microbenchmarks of the hot paths and drivers for the scripts in bench/scripts
 * that measure what a user runs (a real serve, real files) against a reference tool measured in
 * the same run. Figures go to docs/BENCHMARKS.md.
 */
package io.mirrorgate.bench;
