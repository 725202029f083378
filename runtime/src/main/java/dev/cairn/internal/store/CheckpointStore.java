package dev.cairn.internal.store;

import dev.cairn.FailureClass;
import dev.cairn.RunHeldException;
import dev.cairn.StateUnknownException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Durable checkpoints of runs and their stages.
 *
 * <p>Contract for every write: it is atomic and conditional. A write made with a {@link Lease}
 * applies only while the run is still at the lease's epoch and held by its holder; otherwise it
 * throws {@link RunHeldException} and changes nothing. A write whose outcome is unknown after the
 * client's own retries is read back (consistent read) and decided; if that read fails too, it
 * throws {@link StateUnknownException}. Implementations are thread-safe.
 */
public interface CheckpointStore extends AutoCloseable {

  /** Creates the run if it does not exist; returns the run as stored either way. */
  RunRecord openRun(NewRun run);

  /** The run, read consistently. */
  Optional<RunRecord> findRun(String runId);

  /** Up to {@code limit} runs, most recently updated first. */
  List<RunRecord> listRuns(int limit);

  /** The stages of a run that have a checkpoint, read consistently. */
  List<StageRecord> stages(String runId);

  /**
   * The most recent SUCCEEDED run of {@code job} other than {@code exceptRunId}, among the latest
   * 50 runs (one query of the runs index): what a stage took last time, for ETAs and chunk sizing.
   */
  default Optional<RunRecord> lastSucceededRun(String job, String exceptRunId) {
    return listRuns(50).stream()
        .filter(r -> r.job().equals(job))
        .filter(r -> !r.runId().equals(exceptRunId))
        .filter(r -> r.status() == RunStatus.SUCCEEDED)
        .findFirst();
  }

  /**
   * Takes the run's lease for {@code holder} if it is free, expired, already this holder's, or held
   * by {@code deadHolderId} (a holder known to be dead). Taking it increments the epoch and marks
   * the run RUNNING.
   *
   * @return the lease, or empty when another driver holds it
   */
  Optional<Lease> tryAcquireLease(
      String runId, LeaseHolder holder, Instant now, Duration ttl, String deadHolderId);

  /**
   * Extends the lease to {@code now + ttl}.
   *
   * @return the lease's expiry as the store holds it: {@code now + ttl}, or, when the renewal's
   *     outcome was unknown and reading the run back found it still held but not extended, the
   *     expiry it had
   * @throws RunHeldException when the lease was lost to another driver
   */
  Instant renewLease(Lease lease, Instant now, Duration ttl);

  /**
   * An operator's override: takes the lease away from whoever holds it at {@code expectedEpoch}
   * (incrementing the epoch, so that holder can no longer write) and marks the run INTERRUPTED with
   * {@code reason}, so {@code cairn resume} starts at once. With {@link BreakMode#IF_EXPIRED} it
   * refuses while the lease is still being renewed.
   *
   * @return true when broken; false when the run was no longer at {@code expectedEpoch}, held, or
   *     (IF_EXPIRED) expired: nothing changed
   */
  boolean breakLease(String runId, long expectedEpoch, BreakMode mode, Instant now, String reason);

  /** Whether {@link #breakLease} may take a lease that is still being renewed. */
  enum BreakMode {
    IF_EXPIRED,
    FORCE
  }

  /** Applies one stage transition at the lease's epoch. */
  void transition(Lease lease, StageTransition transition);

  /**
   * Records a run-level event (stage events are written by {@link #transition}). Not fenced by a
   * lease: a driver that lost its lease may still say so. Idempotent on the event's id.
   */
  void recordEvent(RunEvent event);

  /** The run's events, oldest first. */
  List<RunEvent> events(String runId);

  /**
   * Records the run's end state and releases the lease so the next driver starts at once. A run
   * that SUCCEEDED also gets an expiry, {@code now} plus the store's retention, on its item and on
   * every other item of the run, in the same atomic write: DynamoDB's TTL deletes them after it (a
   * FAILED or INTERRUPTED run is work still to do and never expires).
   *
   * @param reasonClass the failure class of {@code reason}, recorded with it (and removed when
   *     empty), so that tools act on the class and never on the text
   */
  void finishRun(
      Lease lease,
      RunStatus status,
      String reason,
      Optional<FailureClass> reasonClass,
      Instant now);

  /** {@link #finishRun(Lease, RunStatus, String, Optional, Instant)} with a reason of no class. */
  default void finishRun(Lease lease, RunStatus status, String reason, Instant now) {
    finishRun(lease, status, reason, Optional.empty(), now);
  }

  /**
   * Records an operator's rerun of a run, atomically: each of {@code invalidations} moves its stage
   * to PENDING at its new transaction version, the run's effective parameters become {@code
   * parameters}, {@code rerun} is appended to the run's reruns, and the expiry is removed from the
   * run and every item of it (the run is live again). Applies only at the lease's epoch, else
   * throws {@link RunHeldException}; decided by reading back when the outcome is unknown.
   *
   * @throws IllegalArgumentException when there are more invalidations than one atomic write holds
   *     ({@link #MAX_RERUN_STAGES})
   */
  void recordRerun(
      Lease lease,
      Rerun rerun,
      Map<String, String> parameters,
      List<StageTransition.Invalidate> invalidations);

  /** The most stages one rerun invalidates (a DynamoDB transaction holds 100 items). */
  int MAX_RERUN_STAGES = 90;

  /**
   * Freezes the chunk plan of a chunked stage's current generation: records {@code plan} (its
   * units, chunks and sizing decision) on the stage's item unless a plan is already there, and
   * returns the plan as stored (the one every attempt of this generation must follow). The stage
   * must be RUNNING at {@code generation}; a rerun's invalidation removes the plan. One conditional
   * write, fenced by the lease.
   *
   * @throws IllegalArgumentException when the plan has no unit, holds a duplicate or blank unit
   *     key, or is larger than one item holds ({@link #MAX_CHUNKS} units, {@link #MAX_PLAN_CHARS}
   *     characters)
   */
  ChunkPlan planChunks(Lease lease, String stage, long generation, ChunkPlan plan);

  /** The most units one stage plans. */
  int MAX_CHUNKS = 10_000;

  /** The most characters of unit keys one plan holds (a DynamoDB item holds 400 KB). */
  int MAX_PLAN_CHARS = 300_000;

  /** The chunk items of one generation of a stage, by index, read consistently. */
  List<ChunkRecord> chunks(String runId, String stage, long generation);

  /**
   * Applies one chunk transition at the lease's epoch (see {@link ChunkTransition} for the allowed
   * moves; a refused move throws {@link IllegalTransitionException}).
   */
  void transition(Lease lease, ChunkTransition transition);

  @Override
  void close();

  /**
   * Records the frozen input plan of one input of a stage, unless one is already recorded for its
   * run, stage, input name and generation; written only while the lease holds (else {@link
   * RunHeldException}). Idempotent: a plan recorded first, by this driver or an earlier one, wins.
   *
   * @return the plan now recorded: {@code plan}, or the one recorded before it
   */
  InputPlan recordPlan(Lease lease, InputPlan plan);

  /** The recorded plan of one input of a stage at a generation, read consistently. */
  Optional<InputPlan> findPlan(String runId, String stage, String name, long generation);

  /**
   * Every input plan recorded for the run, of every scope and generation, ordered by scope ({@link
   * InputPlan#RUN_SCOPE} first), generation and name; read consistently. What {@code cairn status}
   * shows of the run's inputs.
   */
  List<InputPlan> plans(String runId);
}
