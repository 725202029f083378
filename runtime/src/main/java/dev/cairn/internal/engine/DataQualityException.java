package dev.cairn.internal.engine;

import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import dev.cairn.internal.store.CheckResult;
import java.util.List;

/** A stage's rows failed one or more of its declared expectations; nothing was published. */
final class DataQualityException extends CairnException {
  private static final long serialVersionUID = 1L;
  private final transient List<CheckResult> results;

  DataQualityException(String problemAndFix, List<CheckResult> results) {
    super(FailureClass.DATA_QUALITY, problemAndFix);
    this.results = List.copyOf(results);
  }

  /** Every check's result, the passed ones included. */
  List<CheckResult> results() {
    return results;
  }
}
