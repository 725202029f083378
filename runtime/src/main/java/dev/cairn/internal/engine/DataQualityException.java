package dev.cairn.internal.engine;

import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import dev.cairn.internal.store.CheckResult;
import java.util.List;

/**
 * A stage's rows failed one or more of its declared expectations; nothing was published.
 *
 * <p>The one user-facing error built outside {@code dev.cairn.internal.errors}, on purpose: it
 * carries the store's {@link CheckResult}s (the engine records them with the failed stage), and
 * that package may not depend on the store. Its message is built here, by {@link #checksFailed}.
 */
final class DataQualityException extends CairnException {
  private static final long serialVersionUID = 1L;
  private final transient List<CheckResult> results;

  DataQualityException(String problemAndFix, List<CheckResult> results) {
    super(FailureClass.DATA_QUALITY, problemAndFix);
    this.results = List.copyOf(results);
  }

  /** Some expectations failed: names each failed check that fails the stage, and its detail. */
  static DataQualityException checksFailed(String stage, List<CheckResult> results) {
    List<CheckResult> failed = results.stream().filter(CheckResult::blocks).toList();
    StringBuilder message =
        new StringBuilder("data-quality check(s) of stage '" + stage + "' failed: ");
    for (int i = 0; i < failed.size(); i++) {
      message
          .append(i == 0 ? "" : "; ")
          .append(failed.get(i).check())
          .append(": ")
          .append(failed.get(i).detail());
    }
    return new DataQualityException(message.toString(), results);
  }

  /** Every check's result, the passed ones included. */
  List<CheckResult> results() {
    return results;
  }
}
