package dev.cairn.internal.engine;

import dev.cairn.internal.store.RunStatus;
import java.util.List;

/**
 * What one driver did to a run.
 *
 * @param alreadySucceeded true when the run had succeeded before and nothing was done
 * @param executed stages whose compute ran in this driver
 * @param skipped stages found COMMITTED and left alone
 * @param recovered stages found committed in the Delta log and recorded without recomputing
 */
public record RunOutcome(
    String runId,
    RunStatus status,
    long epoch,
    boolean alreadySucceeded,
    List<String> executed,
    List<String> skipped,
    List<String> recovered) {}
