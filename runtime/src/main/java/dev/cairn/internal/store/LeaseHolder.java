package dev.cairn.internal.store;

import java.time.Instant;
import java.util.Optional;

/**
 * The driver process that holds (or asks for) a run's lease.
 *
 * @param id unique per driver process
 * @param host the host name the driver runs on
 * @param pid the driver's process id on that host
 * @param processStart when that process started, to tell a reused pid from the holder
 */
public record LeaseHolder(String id, String host, long pid, Instant processStart) {

  /** The holder describing this JVM. */
  public static LeaseHolder thisProcess(String host) {
    ProcessHandle self = ProcessHandle.current();
    Instant start = self.info().startInstant().orElse(Instant.EPOCH);
    return new LeaseHolder(
        host + ":" + self.pid() + ":" + Long.toHexString(start.toEpochMilli()),
        host,
        self.pid(),
        start);
  }

  /**
   * True when this holder is a process on {@code localHost} that no longer exists: its lease can be
   * taken over at once instead of waiting for it to expire.
   */
  public boolean isDeadProcessOn(String localHost) {
    if (!host.equals(localHost)) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return true;
    }
    // A pid can be reused: the holder is dead if the live process started at another time.
    Optional<Instant> start = process.get().info().startInstant();
    return start.isPresent()
        && Math.abs(start.get().toEpochMilli() - processStart.toEpochMilli()) > 1000;
  }

  /** "host h, pid p". */
  public String describe() {
    return "host " + host + ", pid " + pid;
  }
}
