package dev.cairn.internal.store;

/**
 * A stage's state. Moves: PENDING → RUNNING → COMMITTED | FAILED; FAILED → RUNNING on the next
 * attempt; PENDING | RUNNING | FAILED → COMMITTED when resume finds the stage's Delta commit.
 */
public enum StageStatus {
  PENDING,
  RUNNING,
  COMMITTED,
  FAILED
}
