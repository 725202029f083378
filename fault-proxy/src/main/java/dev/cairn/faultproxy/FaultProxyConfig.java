package dev.cairn.faultproxy;

import java.net.URI;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a {@link FaultProxy} forwards to and how it fails. Immutable; build with {@link
 * #builder(URI)}.
 *
 * @param listenPort the port to listen on, on 127.0.0.1 only; 0 picks a free one
 * @param target the plain-HTTP server to forward to, e.g. {@code http://127.0.0.1:8000}
 * @param faultRate the share of requests, 0 to 1, that get a fault instead of a plain forward
 * @param faults the kinds of fault to choose from, each equally likely
 * @param protocol what the injected errors look like
 * @param seed the seed of the random choices, so a sequence of requests fails the same way again
 */
public record FaultProxyConfig(
    int listenPort, URI target, double faultRate, Set<Fault> faults, Protocol protocol, long seed) {

  public FaultProxyConfig {
    if (listenPort < 0 || listenPort > 65535) {
      throw new IllegalArgumentException(
          "listen port " + listenPort + " is invalid: pass 0 (any free port) to 65535");
    }
    checkTarget(target);
    if (!(faultRate >= 0 && faultRate <= 1)) {
      throw new IllegalArgumentException(
          "fault rate " + faultRate + " is invalid: pass a share from 0 to 1, e.g. 0.25");
    }
    if (faults.isEmpty() && faultRate > 0) {
      throw new IllegalArgumentException(
          "fault rate "
              + faultRate
              + " needs at least one fault kind: pass "
              + Fault.allCliNames());
    }
    faults = Set.copyOf(faults);
  }

  /** Forwards to {@code target} untouched until a fault rate is set; all fault kinds. */
  public static Builder builder(URI target) {
    return new Builder(target);
  }

  private static void checkTarget(URI target) {
    if (target == null
        || !"http".equals(target.getScheme())
        || target.getHost() == null
        || (target.getPath() != null
            && !target.getPath().isEmpty()
            && !target.getPath().equals("/"))
        || target.getQuery() != null) {
      throw new IllegalArgumentException(
          "target '"
              + target
              + "' is invalid: pass a plain-HTTP server address without a path, e.g."
              + " http://127.0.0.1:8000");
    }
  }

  /** The target's port (80 if the URI names none). */
  int targetPort() {
    return target.getPort() < 0 ? 80 : target.getPort();
  }

  /** Builder; each setter validates its own input, {@link #build()} the combination. */
  public static final class Builder {
    private final URI target;
    private int listenPort;
    private double faultRate;
    private Set<Fault> faults = EnumSet.allOf(Fault.class);
    private Protocol protocol = Protocol.DYNAMODB;
    private long seed = 1;

    private Builder(URI target) {
      checkTarget(target);
      this.target = target;
    }

    public Builder listenPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "listen port " + port + " is invalid: pass 0 (any free port) to 65535");
      }
      this.listenPort = port;
      return this;
    }

    public Builder faultRate(double rate) {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException(
            "fault rate " + rate + " is invalid: pass a share from 0 to 1, e.g. 0.25");
      }
      this.faultRate = rate;
      return this;
    }

    public Builder faults(Set<Fault> faults) {
      this.faults = EnumSet.noneOf(Fault.class);
      this.faults.addAll(faults);
      return this;
    }

    public Builder protocol(Protocol protocol) {
      this.protocol = protocol;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public FaultProxyConfig build() {
      return new FaultProxyConfig(listenPort, target, faultRate, faults, protocol, seed);
    }
  }
}
