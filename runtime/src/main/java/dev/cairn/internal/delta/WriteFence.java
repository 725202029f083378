package dev.cairn.internal.delta;

import dev.cairn.internal.errors.TableErrors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The last line of zombie fencing: a Delta commit is refused once this driver can no longer be sure
 * it holds the run's lease. The lease keeper extends the fence after each successful renewal to
 * {@code renewal time + TTL - margin} on the monotonic clock; a driver frozen past that instant
 * (SIGSTOP, a long GC pause, a suspended VM) finds it expired when it wakes and {@link
 * FencedLogStore} refuses to write the commit file, so it cannot publish after another driver took
 * the run over.
 *
 * <p>Two clocks bound the fence, and either ending it is enough: the monotonic one (immune to the
 * wall clock being set) and the wall clock, because the monotonic clock stops while a VM or a
 * hibernating Spot instance is suspended, and the lease's expiry in the store does not. Both
 * deadlines run from a {@link Stamp} taken before the renewal was sent. A wall clock stepped
 * forward by more than the time left on the fence refuses a commit early (the stage is retried);
 * one stepped back leaves the monotonic bound.
 *
 * <p>Process-wide because Delta instantiates log stores by reflection, one per table and scheme,
 * with no way to pass them an object; one driver process runs one run at a time. Thread-safe.
 */
public final class WriteFence {
  private static final Logger LOG = LogManager.getLogger(WriteFence.class);
  private static final AtomicReference<State> STATE = new AtomicReference<>(State.OPEN);
  private static volatile LongSupplier nanoClock = System::nanoTime;
  private static volatile LongSupplier wallMillis = System::currentTimeMillis;

  private WriteFence() {}

  private record State(
      boolean armed, long validUntilNanos, long validUntilWallMillis, String holder) {
    static final State OPEN = new State(false, Long.MAX_VALUE, Long.MAX_VALUE, "");

    boolean expired(long nanos, long millis) {
      return armed && (nanos > validUntilNanos || millis > validUntilWallMillis);
    }
  }

  /** An instant on both of the fence's clocks. */
  public record Stamp(long nanos, long wallMillis) {
    /** Now, on the clocks the fence reads. */
    public static Stamp now() {
      return new Stamp(nanoClock.getAsLong(), WriteFence.wallMillis.getAsLong());
    }
  }

  /**
   * From now on commits are allowed until {@code validForNanos} from now on both clocks, for {@code
   * holder}.
   */
  public static void extend(String holder, long validForNanos) {
    extend(holder, Stamp.now(), validForNanos);
  }

  /**
   * From now on commits are allowed until {@code validForNanos} after {@code from} on both clocks
   * (when a renewal was sent: the store may have applied it then), for {@code holder}.
   */
  public static void extend(String holder, Stamp from, long validForNanos) {
    STATE.set(
        new State(
            true,
            from.nanos() + validForNanos,
            from.wallMillis() + validForNanos / 1_000_000L,
            holder));
  }

  /** Commits are refused from now on (the lease was lost or released). */
  public static void close(String holder) {
    STATE.set(new State(true, Long.MIN_VALUE, Long.MIN_VALUE, holder));
  }

  /** No run is active: commits are not fenced (tests, tools writing tables directly). */
  public static void open() {
    STATE.set(State.OPEN);
  }

  /**
   * Throws if a commit must not be published now.
   *
   * @throws FencedException when the lease may have been lost
   */
  public static void check(String what) {
    remaining(what);
  }

  /**
   * Throws like {@link #check}, and otherwise says how long commits stay allowed: the most a write
   * started now may take, on the earlier of the two clocks (empty when no run fences commits).
   *
   * @throws FencedException when the lease may have been lost
   */
  public static java.util.Optional<java.time.Duration> remaining(String what) {
    State state = STATE.get();
    long nanos = nanoClock.getAsLong();
    long millis = wallMillis.getAsLong();
    if (state.expired(nanos, millis)) {
      FencedException refused =
          new FencedException(TableErrors.fencedCommitRefused(what, state.holder()));
      // Logged here: the run then ends on the lost lease, whose message says nothing of the log.
      LOG.warn(refused.getMessage());
      throw refused;
    }
    if (!state.armed()) {
      return java.util.Optional.empty();
    }
    long left =
        Math.min(
            state.validUntilNanos() - nanos, (state.validUntilWallMillis() - millis) * 1_000_000L);
    return java.util.Optional.of(java.time.Duration.ofNanos(Math.max(left, 1_000_000L)));
  }

  /** For tests: the monotonic clock the fence reads. */
  static void useClock(LongSupplier clock) {
    nanoClock = clock;
  }

  /** For tests: the wall clock the fence reads, in epoch milliseconds. */
  static void useWallClock(LongSupplier clock) {
    wallMillis = clock;
  }

  /** A commit refused by the fence. */
  public static final class FencedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    FencedException(String message) {
      super(message);
    }
  }
}
