export interface QuotaLimits {
  maxFileBytes: number;
  maxSessionBytes: number;
}

export interface WritePlan {
  /** The session's total before the write. */
  sessionBytes: number;
  /** The size of the file being replaced, 0 for a new file. */
  oldSize: number;
  newSize: number;
}

/**
 * Why a write does not fit, or null. The session is judged by its total *after* the write, so
 * replacing a file with one of equal or smaller size always fits.
 */
export function quotaProblem(plan: WritePlan, limits: QuotaLimits): string | null {
  if (plan.newSize > limits.maxFileBytes) {
    return `File is ${plan.newSize} bytes; the limit is ${limits.maxFileBytes} bytes per file`;
  }
  const after = plan.sessionBytes - plan.oldSize + plan.newSize;
  if (plan.newSize > plan.oldSize && after > limits.maxSessionBytes) {
    return `Sandbox would hold ${after} bytes; the limit is ${limits.maxSessionBytes} bytes per session`;
  }
  return null;
}
