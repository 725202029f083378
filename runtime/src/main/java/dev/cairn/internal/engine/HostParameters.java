package dev.cairn.internal.engine;

import dev.cairn.CairnJob;
import dev.cairn.Parameters;
import java.util.Map;
import java.util.Set;

/**
 * The parameters a recorded run continues with on the host this driver runs on (see {@link
 * ParameterResolver#onThisHost}): a location identified by its fetched default's content is read
 * from this host's copy.
 */
@FunctionalInterface
public interface HostParameters {
  /** The recorded values as they are: for drivers whose runs name no fetched dataset (tests). */
  HostParameters RECORDED = (job, identity, recorded, setByRerun) -> Parameters.of(recorded);

  /**
   * @param identity the run's identity values by name ({@link RunIdentity#values})
   * @param recorded the run's recorded parameters (a rerun's changes included)
   * @param setByRerun parameters a rerun gave, whose recorded value stands
   */
  Parameters onThisHost(
      CairnJob job,
      Map<String, String> identity,
      Map<String, String> recorded,
      Set<String> setByRerun);
}
