/**
 * Hardening added on top of cdk8s-plus's own (non-root, read-only root file system, no privilege
 * escalation): all Linux capabilities dropped and the runtime's default seccomp profile, the
 * settings of the "restricted" Pod Security Standard.
 */
export const RUNTIME_DEFAULT_SECCOMP = { type: 'RuntimeDefault' } as const;

export function containerHardening(): Record<string, unknown> {
  return { capabilities: { drop: ['ALL'] }, seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP } };
}

export function podHardening(): Record<string, unknown> {
  return { seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP } };
}
