package dev.cairn.internal.store;

/**
 * A stage's state. Moves: PENDING → RUNNING → COMMITTED | FAILED; FAILED → RUNNING on the next
 * attempt; PENDING | RUNNING | FAILED → COMMITTED when resume finds the stage's Delta commit; any →
 * PENDING when {@code cairn rerun} invalidates it (with the next transaction version).
 */
public enum StageStatus {
  PENDING,
  RUNNING,
  COMMITTED,
  FAILED
}
