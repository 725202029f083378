package dev.cairn.internal.store;

import dev.cairn.testing.InMemoryCheckpointStore;
import java.time.Instant;
import java.util.Optional;

/**
 * The in-memory fake keeps the {@link CheckpointStoreContract} the DynamoDB store keeps; its fault
 * injection is tested in {@code InMemoryCheckpointStoreTest}.
 */
class InMemoryCheckpointStoreContractTest extends CheckpointStoreContract<InMemoryCheckpointStore> {

  @Override
  InMemoryCheckpointStore newStore() {
    return new InMemoryCheckpointStore();
  }

  @Override
  Optional<Instant> stageExpiry(String runId, String stage) {
    return store.expiresAt(runId, stage);
  }
}
