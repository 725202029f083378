package dev.cairn.internal.store;

import dev.cairn.FailureClass;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checkpoint of one run.
 *
 * @param holder the driver holding the lease, if any
 * @param leaseExpiresAt when the holder's lease runs out unless renewed
 * @param leaseSince when the holder took the lease
 * @param reason why the run ended as it did (failure or interruption), or empty
 * @param expiresAt when DynamoDB's TTL may delete the run's items (set when it succeeds), if ever
 * @param reruns the operator's reruns of this run, oldest first
 * @param reasonClass the failure class of {@code reason} when the run ended FAILED without a failed
 *     stage (a lost lease, an unknown state): what {@code cairn runbook} reads, never the text
 */
public record RunRecord(
    String runId,
    String job,
    String runKey,
    Map<String, String> parameters,
    String parametersHash,
    String codeVersion,
    RunStatus status,
    long epoch,
    Optional<LeaseHolder> holder,
    Instant leaseExpiresAt,
    Instant leaseSince,
    Instant createdAt,
    Instant updatedAt,
    String reason,
    Optional<Instant> expiresAt,
    List<Rerun> reruns,
    Optional<FailureClass> reasonClass) {

  public RunRecord {
    parameters = Map.copyOf(parameters);
    reruns = List.copyOf(reruns);
  }

  /** A run whose reason, if any, has no recorded class. */
  public RunRecord(
      String runId,
      String job,
      String runKey,
      Map<String, String> parameters,
      String parametersHash,
      String codeVersion,
      RunStatus status,
      long epoch,
      Optional<LeaseHolder> holder,
      Instant leaseExpiresAt,
      Instant leaseSince,
      Instant createdAt,
      Instant updatedAt,
      String reason,
      Optional<Instant> expiresAt,
      List<Rerun> reruns) {
    this(
        runId,
        job,
        runKey,
        parameters,
        parametersHash,
        codeVersion,
        status,
        epoch,
        holder,
        leaseExpiresAt,
        leaseSince,
        createdAt,
        updatedAt,
        reason,
        expiresAt,
        reruns,
        Optional.empty());
  }

  /** A run that has no expiry and was never rerun. */
  public RunRecord(
      String runId,
      String job,
      String runKey,
      Map<String, String> parameters,
      String parametersHash,
      String codeVersion,
      RunStatus status,
      long epoch,
      Optional<LeaseHolder> holder,
      Instant leaseExpiresAt,
      Instant leaseSince,
      Instant createdAt,
      Instant updatedAt,
      String reason) {
    this(
        runId,
        job,
        runKey,
        parameters,
        parametersHash,
        codeVersion,
        status,
        epoch,
        holder,
        leaseExpiresAt,
        leaseSince,
        createdAt,
        updatedAt,
        reason,
        Optional.empty(),
        List.of());
  }

  /** This record with {@code rerun} recorded after its reruns (as the store holds it after). */
  public RunRecord withRerun(Rerun rerun) {
    List<Rerun> more = new ArrayList<>(reruns);
    more.add(rerun);
    return new RunRecord(
        runId,
        job,
        runKey,
        parameters,
        parametersHash,
        codeVersion,
        status,
        epoch,
        holder,
        leaseExpiresAt,
        leaseSince,
        createdAt,
        updatedAt,
        reason,
        expiresAt,
        more,
        reasonClass);
  }

  /** True when some driver holds an unexpired lease at {@code now}. */
  public boolean isHeldAt(Instant now) {
    return holder.isPresent() && leaseExpiresAt.isAfter(now);
  }
}
