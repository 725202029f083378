package dev.cairn.internal.report;

import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * One driver that held a run's lease: its epoch, where it ran, when, how it ended and its Spark
 * application. Read from the run's history ({@link RunEvent}) and checkpoints alone.
 *
 * @param host the driver's host, or "?" for a driver that recorded none (before Cairn recorded it)
 * @param pid the driver's process id, or -1 when not recorded
 * @param startedAt when it took the lease and started
 * @param lastSeenAt the last thing it recorded (an event, a chunk's start or commit): where its
 *     lane ends; for a killed driver the kill came after this and before the next driver started
 * @param ending how it ended
 * @param endNote the reason recorded with its end (the notice, the lost lease, the failure), or
 *     what tells that it was killed
 * @param committedBefore the stages it found committed when it started, and so skipped
 * @param sparkAppId its Spark application's id, once it started one
 * @param eventLogDir where Spark wrote that application's event log, when it was on
 */
public record DriverAttempt(
    long epoch,
    String host,
    long pid,
    Instant startedAt,
    Instant lastSeenAt,
    Ending ending,
    String endNote,
    List<String> committedBefore,
    Optional<String> sparkAppId,
    Optional<String> eventLogDir) {

  public DriverAttempt {
    committedBefore = List.copyOf(committedBefore);
  }

  /** How a driver attempt ended. */
  public enum Ending {
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    /** A stop was requested (Spot notice, SIGTERM) and the driver stopped cleanly. */
    INTERRUPTED("interrupted"),
    /** Another driver took the lease; this one stopped. */
    LEASE_LOST("lease lost"),
    /** It recorded no end: killed (SIGKILL, host lost) or frozen until its lease expired. */
    KILLED("killed"),
    /** It holds the lease now. */
    RUNNING("running");

    private final String label;

    Ending(String label) {
      this.label = label;
    }

    /** "lease lost". */
    public String label() {
      return label;
    }
  }

  /** "host h, pid p". */
  public String describeDriver() {
    return "host " + host + ", pid " + (pid < 0 ? "?" : Long.toString(pid));
  }

  /**
   * The driver attempts of {@code run}, oldest first: one per {@link
   * RunEvent.Type#ATTEMPT_STARTED}.
   *
   * @param events the run's history, oldest first
   * @param chunks chunk checkpoints of the run, to see when a driver killed mid-stage was last
   *     alive
   */
  public static List<DriverAttempt> of(
      RunRecord run, List<RunEvent> events, Collection<ChunkRecord> chunks, Instant now) {
    List<RunEvent> starts =
        events.stream().filter(e -> e.type() == RunEvent.Type.ATTEMPT_STARTED).toList();
    List<DriverAttempt> attempts = new ArrayList<>();
    for (int i = 0; i < starts.size(); i++) {
      RunEvent start = starts.get(i);
      Optional<RunEvent> next =
          i + 1 < starts.size() ? Optional.of(starts.get(i + 1)) : Optional.empty();
      attempts.add(attempt(run, start, next, events, chunks, now));
    }
    return attempts;
  }

  private static DriverAttempt attempt(
      RunRecord run,
      RunEvent start,
      Optional<RunEvent> next,
      List<RunEvent> events,
      Collection<ChunkRecord> chunks,
      Instant now) {
    long epoch = start.epoch();
    Instant lastSeen = start.at();
    Optional<RunEvent> end = Optional.empty();
    Optional<RunEvent> spark = Optional.empty();
    for (RunEvent event : events) {
      if (event.epoch() != epoch || event.at().isBefore(start.at())) {
        continue;
      }
      if (event.at().isAfter(lastSeen)) {
        lastSeen = event.at();
      }
      switch (event.type()) {
        case RUN_SUCCEEDED, RUN_FAILED, RUN_INTERRUPTED, LEASE_LOST -> end = Optional.of(event);
        case SPARK_STARTED -> spark = spark.or(() -> Optional.of(event));
        default -> {}
      }
    }
    for (ChunkRecord chunk : chunks) {
      if (chunk.epoch() == epoch) {
        for (Optional<Instant> at : List.of(chunk.startedAt(), chunk.finishedAt())) {
          if (at.isPresent() && at.get().isAfter(lastSeen)) {
            lastSeen = at.get();
          }
        }
      }
    }
    Ending ending;
    String note;
    if (end.isPresent()) {
      ending =
          switch (end.get().type()) {
            case RUN_SUCCEEDED -> Ending.SUCCEEDED;
            case RUN_FAILED -> Ending.FAILED;
            case RUN_INTERRUPTED -> Ending.INTERRUPTED;
            default -> Ending.LEASE_LOST;
          };
      note = end.get().message();
    } else if (next.isPresent()) {
      ending = Ending.KILLED;
      note =
          "recorded no end; epoch "
              + next.get().epoch()
              + " took the run over at "
              + next.get().at();
    } else if (run.epoch() == epoch && run.status() == RunStatus.RUNNING && run.isHeldAt(now)) {
      ending = Ending.RUNNING;
      note = "holds the lease until " + run.leaseExpiresAt();
      lastSeen = now;
    } else {
      ending = Ending.KILLED;
      note =
          run.epoch() == epoch && run.status() == RunStatus.RUNNING
              ? "recorded no end; its lease expired at " + run.leaseExpiresAt()
              : "recorded no end; the run is now " + run.status();
    }
    return new DriverAttempt(
        epoch,
        start.details().getOrDefault(RunEvent.DETAIL_HOST, "?"),
        pid(start.details().get(RunEvent.DETAIL_PID)),
        start.at(),
        lastSeen,
        ending,
        note,
        committedBefore(start.details().get(RunEvent.DETAIL_COMMITTED_BEFORE)),
        spark.map(e -> e.details().get(RunEvent.DETAIL_SPARK_APP_ID)),
        spark.flatMap(e -> Optional.ofNullable(e.details().get(RunEvent.DETAIL_EVENT_LOG_DIR))));
  }

  private static long pid(String recorded) {
    try {
      return recorded == null ? -1 : Long.parseLong(recorded);
    } catch (NumberFormatException notANumber) {
      return -1;
    }
  }

  private static List<String> committedBefore(String recorded) {
    return recorded == null || recorded.isBlank()
        ? List.of()
        : Arrays.stream(recorded.split(",")).map(String::strip).toList();
  }
}
