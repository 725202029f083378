package dev.cairn.internal.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The driver process that holds (or asks for) a run's lease.
 *
 * @param id unique per driver process
 * @param host the host name the driver runs on
 * @param pid the driver's process id on that host
 * @param processStart when that process started, to tell a reused pid from the holder
 * @param machine which boot of which kernel, and which process-id namespace in it, the pid belongs
 *     to ({@link #thisMachine()}); empty where that cannot be told (not Linux, older records)
 */
public record LeaseHolder(String id, String host, long pid, Instant processStart, String machine) {

  /** A holder whose machine is not known. */
  public LeaseHolder(String id, String host, long pid, Instant processStart) {
    this(id, host, pid, processStart, "");
  }

  /** A name every machine may fall back to when it cannot resolve its own. */
  private static final String FALLBACK_HOST = "localhost";

  private static final String THIS_MACHINE = readThisMachine();

  /** The holder describing this JVM. */
  public static LeaseHolder thisProcess(String host) {
    ProcessHandle self = ProcessHandle.current();
    Instant start = self.info().startInstant().orElse(Instant.EPOCH);
    return new LeaseHolder(
        host + ":" + self.pid() + ":" + Long.toHexString(start.toEpochMilli()),
        host,
        self.pid(),
        start,
        THIS_MACHINE);
  }

  /**
   * This process's machine: Linux's boot id (new at every boot, different on every machine) and its
   * process-id namespace (containers sharing a kernel have their own pids), or empty.
   */
  public static String thisMachine() {
    return THIS_MACHINE;
  }

  private static String readThisMachine() {
    try {
      String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
      String pids = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
      return boot + "/" + pids;
    } catch (IOException | UnsupportedOperationException | SecurityException notLinux) {
      return "";
    }
  }

  /**
   * True when this holder is a process on this machine (host {@code localHost}) that no longer
   * exists: its lease can be taken over at once instead of waiting for it to expire.
   */
  public boolean isDeadProcessOn(String localHost) {
    return isDeadProcessOn(localHost, THIS_MACHINE);
  }

  /**
   * As {@link #isDeadProcessOn(String)}, from a machine {@code localMachine}. A holder is judged
   * only on the same boot of the same machine: a host name alone can be shared (containers, the
   * {@code localhost} fallback) and survives a reboot, and a pid means nothing elsewhere.
   */
  boolean isDeadProcessOn(String localHost, String localMachine) {
    if (!host.equals(localHost)) {
      return false;
    }
    if (!machine.isEmpty() || !localMachine.isEmpty()) {
      if (!machine.equals(localMachine)) {
        return false;
      }
    } else if (host.equals(FALLBACK_HOST)) {
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
