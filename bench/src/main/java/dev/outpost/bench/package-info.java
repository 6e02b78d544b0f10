/** JMH micro-benchmarks and harnesses; everything here may depend on every other module. */
package dev.outpost.bench;
