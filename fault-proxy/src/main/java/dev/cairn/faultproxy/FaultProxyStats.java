package dev.cairn.faultproxy;

import java.util.EnumMap;
import java.util.Map;

/**
 * What a {@link FaultProxy} did so far.
 *
 * @param requests requests received in full from clients
 * @param forwarded requests forwarded whose response was relayed unchanged
 * @param injected faults injected, by kind (every kind present, zero if none)
 * @param upstreamFailures requests that could not be forwarded because the target failed (refused
 *     the connection, closed it, or sent something that is not HTTP); the client got a 502 or a
 *     closed connection
 */
public record FaultProxyStats(
    long requests, long forwarded, Map<Fault, Long> injected, long upstreamFailures) {

  public FaultProxyStats {
    EnumMap<Fault, Long> all = new EnumMap<>(Fault.class);
    for (Fault fault : Fault.values()) {
      all.put(fault, injected.getOrDefault(fault, 0L));
    }
    injected = Map.copyOf(all);
  }

  /** How many faults of {@code kind} were injected. */
  public long injected(Fault kind) {
    return injected.get(kind);
  }

  /** All faults injected. */
  public long faults() {
    return injected.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * As {@code name=value} lines (java.util.Properties format): {@code requests}, {@code forwarded},
   * one line per fault kind by its command-line name ({@code throttle}, {@code server-error},
   * {@code drop-before}, {@code drop-after}), and {@code upstream-failures}.
   */
  public String toProperties() {
    StringBuilder text = new StringBuilder();
    text.append("requests=").append(requests).append('\n');
    text.append("forwarded=").append(forwarded).append('\n');
    for (Fault fault : Fault.values()) {
      text.append(fault.cliName()).append('=').append(injected(fault)).append('\n');
    }
    text.append("upstream-failures=").append(upstreamFailures).append('\n');
    return text.toString();
  }
}
