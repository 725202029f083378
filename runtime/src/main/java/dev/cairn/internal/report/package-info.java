/**
 * {@code cairn report}: a run across every driver attempt as one self-contained HTML page (a
 * timeline with one lane per driver, the stages and chunks as bars coloured by outcome, the stages'
 * checks and metrics, what the kills cost), built from the checkpoint table alone, so it works
 * after every driver is gone. Reads the runbook ({@code internal.runbook}) for a failed run's
 * commands; nothing below imports this package.
 */
package dev.cairn.internal.report;
